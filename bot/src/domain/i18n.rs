//! The Italian and English catalogues, and rendering of their messages into a plain body and
//! an HTML body. User text passed as an argument is escaped in HTML; catalogue text is trusted
//! but escaped too, except that `backticks` become `<code>`, `**stars**` `<strong>` (dropped
//! from the plain body) and newlines `<br>`.
//!
//! Placeholders: `{name}` is an argument; `{name|one|other}` is the word that agrees with the
//! number in argument `name` ("1 voto", "2 voti"; in Italian and English alike, `one` is for
//! exactly 1 and `other` for every other number, 0 included).

use std::collections::HashMap;
use std::sync::LazyLock;

pub use pspm_config::Language;

macro_rules! message_keys {
    ($($variant:ident = $key:literal,)*) => {
        /// Every message the bot can say. Each must exist in both catalogues (tested).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg { $($variant,)* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$variant,)*];

            pub fn key(self) -> &'static str {
                match self { $(Msg::$variant => $key,)* }
            }
        }
    };
}

message_keys! {
    CmdActionUsage = "cmd.action.usage",
    CmdActionSummary = "cmd.action.summary",
    CmdActionHelp = "cmd.action.help",
    ActionEdited = "action.edited",
    ActionDueBeforeStart = "action.due_before_start",
    ActionDueOn = "action.due_on",
    ActionOpenEnded = "action.open_ended",
    ActionNoDue = "action.no_due",
    ActionNeedsStart = "action.needs_start",
    StatusObjective = "status.objective",
    CmdAssignUsage = "cmd.assign.usage",
    CmdAssignSummary = "cmd.assign.summary",
    CmdAssignHelp = "cmd.assign.help",
    CmdActionsUsage = "cmd.actions.usage",
    CmdActionsSummary = "cmd.actions.summary",
    CmdActionsHelp = "cmd.actions.help",
    CmdProgressUsage = "cmd.progress.usage",
    CmdProgressSummary = "cmd.progress.summary",
    CmdProgressHelp = "cmd.progress.help",
    CmdHistoryUsage = "cmd.history.usage",
    CmdHistorySummary = "cmd.history.summary",
    CmdHistoryHelp = "cmd.history.help",
    CmdMeasureUsage = "cmd.measure.usage",
    CmdMeasureSummary = "cmd.measure.summary",
    CmdMeasureHelp = "cmd.measure.help",
    CmdResultsUsage = "cmd.results.usage",
    CmdResultsSummary = "cmd.results.summary",
    CmdResultsHelp = "cmd.results.help",
    CmdTextUsage = "cmd.text.usage",
    CmdTextSummary = "cmd.text.summary",
    CmdTextHelp = "cmd.text.help",
    TextNone = "text.none",
    TextHeader = "text.header",
    TextLine = "text.line",
    TextParagraph = "text.paragraph",
    TextUnknown = "text.unknown",
    TextNeedsId = "text.needs_id",
    TextMore = "text.more",
    TextLastPage = "text.last_page",
    KindHeading = "kind.heading",
    KindParagraph = "kind.paragraph",
    KindList = "kind.list",
    KindCode = "kind.code",
    KindDirective = "kind.directive",
    KindTable = "kind.table",
    TextBadId = "text.bad_id",
    CloseActionLine = "close.action_line",
    PrioritiseActionAnswer = "prioritise.action_answer",
    PrioritiseItemsQuestion = "prioritise.items_question",
    PrioritiseItemsOpened = "prioritise.items_opened",
    PrioritiseItemsTooFew = "prioritise.items_too_few",
    PrioritiseSecretProposalsOnly = "prioritise.secret_proposals_only",
    ItemParagraph = "item.paragraph",
    CmdAmendUsage = "cmd.amend.usage",
    CmdAmendSummary = "cmd.amend.summary",
    CmdAmendHelp = "cmd.amend.help",
    AmendOtherSection = "amend.other_section",
    AmendNoParagraph = "amend.no_paragraph",
    AmendAlreadyDeleted = "amend.already_deleted",
    AmendCardReplace = "amend.card_replace",
    AmendCardDelete = "amend.card_delete",
    AmendCardInsert = "amend.card_insert",
    AmendCardOld = "amend.card_old",
    AmendCardNew = "amend.card_new",
    AmendCardDiff = "amend.card_diff",
    AmendCardHow = "amend.card_how",
    AmendNotFound = "amend.not_found",
    AmendDecided = "amend.decided",
    AmendConflict = "amend.conflict",
    AmendAccepted = "amend.accepted",
    AmendRejected = "amend.rejected",
    TextDeleted = "text.deleted",
    TextAdded = "text.added",
    PlanAmendment = "plan.amendment",
    PlanParagraph = "plan.paragraph",
    PlanChange = "plan.change",
    PlanChangeReplaced = "plan.change_replaced",
    PlanChangeDeleted = "plan.change_deleted",
    PlanChangeAdded = "plan.change_added",
    ItemHeading = "item.heading",
    ItemObjective = "item.objective",
    ItemAction = "item.action",
    ItemCounts = "item.counts",
    DraftPosted = "draft.posted",
    CmdDraftUsage = "cmd.draft.usage",
    CmdDraftSummary = "cmd.draft.summary",
    CmdDraftHelp = "cmd.draft.help",
    DraftNone = "draft.none",
    DraftHeader = "draft.header",
    DraftObjectives = "draft.objectives",
    DraftObjective = "draft.objective",
    DraftResults = "draft.results",
    DraftResult = "draft.result",
    DraftActions = "draft.actions",
    DraftAction = "draft.action",
    CmdStatusUsage = "cmd.status.usage",
    CmdStatusSummary = "cmd.status.summary",
    CmdStatusHelp = "cmd.status.help",
    CmdChartUsage = "cmd.chart.usage",
    CmdChartSummary = "cmd.chart.summary",
    CmdChartHelp = "cmd.chart.help",
    CmdReportUsage = "cmd.report.usage",
    CmdReportSummary = "cmd.report.summary",
    CmdReportHelp = "cmd.report.help",
    StatusNotStarted = "status.not_started",
    StatusInProgress = "status.in_progress",
    StatusOngoing = "status.ongoing",
    StatusDueSoon = "status.due_soon",
    StatusLate = "status.late",
    StatusDone = "status.done",
    ScopePlan = "scope.plan",
    AssignNotAccepted = "assign.not_accepted",
    AssignCodeTaken = "assign.code_taken",
    AssignUnknownOwner = "assign.unknown_owner",
    AssignAlready = "assign.already",
    AssignDone = "assign.done",
    ActionNotFound = "action.not_found",
    ActionsHeader = "actions.header",
    ActionsLine = "actions.line",
    ActionsNone = "actions.none",
    ProgressNotOwner = "progress.not_owner",
    ProgressDone = "progress.done",
    HistoryHeader = "history.header",
    HistoryLine = "history.line",
    HistoryNone = "history.none",
    MeasureUnknownResult = "measure.unknown_result",
    MeasureNotAllowed = "measure.not_allowed",
    MeasureDone = "measure.done",
    ImportPosted = "import.posted",
    ImportMore = "import.more",
    ResultsHeader = "results.header",
    ResultsLine = "results.line",
    ResultsNone = "results.none",
    StatusHeader = "status.header",
    StatusCounts = "status.counts",
    StatusCountsOngoing = "status.counts_ongoing",
    StatusLateHeader = "status.late_header",
    StatusLateLine = "status.late_line",
    StatusNothingLate = "status.nothing_late",
    StatusNoActions = "status.no_actions",
    ChartTitle = "chart.title",
    ChartResultsTitle = "chart.results_title",
    ChartParticipationTitle = "chart.participation_title",
    ChartSubtitle = "chart.subtitle",
    ChartEmpty = "chart.empty",
    ChartPosted = "chart.posted",
    ChartFailed = "chart.failed",
    ChartOverall = "chart.overall",
    ChartSections = "chart.sections",
    ChartObjectives = "chart.objectives",
    ChartActions = "chart.actions",
    ChartLate = "chart.late",
    ChartMeasured = "chart.measured",
    ChartBaseline = "chart.baseline",
    ChartTarget = "chart.target",
    ChartNoMeasurements = "chart.no_measurements",
    ChartLatest = "chart.latest",
    ChartBaselineValue = "chart.baseline_value",
    ChartTargetValue = "chart.target_value",
    ChartVotes = "chart.votes",
    ChartBySection = "chart.by_section",
    ChartByOrganisation = "chart.by_organisation",
    AltProgress = "alt.progress",
    AltCount = "alt.count",
    AltLate = "alt.late",
    AltNoneLate = "alt.none_late",
    AltPart = "alt.part",
    AltRow = "alt.row",
    AltResults = "alt.results",
    AltResult = "alt.result",
    AltMeasurement = "alt.measurement",
    AltParticipation = "alt.participation",
    AltTurnout = "alt.turnout",
    AltMore = "alt.more",
    ReportPosted = "report.posted",
    CmdPlanUsage = "cmd.plan.usage",
    CmdPlanSummary = "cmd.plan.summary",
    CmdPlanHelp = "cmd.plan.help",
    PlanPosted = "plan.posted",
    PlanFailed = "plan.failed",
    RemindHeader = "remind.header",
    RemindLate = "remind.late",
    RemindSoon = "remind.soon",
    RemindOwners = "remind.owners",
    NoOwner = "owner.none",
    ReportMasthead = "report.masthead",
    ReportSkip = "report.skip",
    ReportContents = "report.contents",
    ReportGenerated = "report.generated",
    ReportChartText = "report.chart_text",
    ReportProgress = "report.progress",
    ReportSection = "report.section",
    ReportActions = "report.actions",
    ReportCode = "report.code",
    ReportTitle = "report.title",
    ReportOwner = "report.owner",
    ReportDue = "report.due",
    ReportStatus = "report.status",
    ReportHistory = "report.history",
    ReportResults = "report.results",
    ReportIndicator = "report.indicator",
    ReportBaseline = "report.baseline",
    ReportLatest = "report.latest",
    ReportTarget = "report.target",
    ReportConsultation = "report.consultation",
    ReportProposal = "report.proposal",
    ReportSupports = "report.supports",
    ReportOppositions = "report.oppositions",
    ReportOrganisation = "report.organisation",
    ReportParticipation = "report.participation",
    ReportProposals = "report.proposals",
    ReportVoters = "report.voters",
    ReportComments = "report.comments",
    ReportNothing = "report.nothing",
    PlanObjectives = "plan.objectives",
    PlanObjective = "plan.objective",
    PlanUnit = "plan.unit",
    PlanTargets = "plan.targets",
    PlanStart = "plan.start",
    PlanWeight = "plan.weight",
    PlanAnnex = "plan.annex",
    PlanAnnexIntro = "plan.annex_intro",
    CmdSearchUsage = "cmd.search.usage",
    CmdSearchSummary = "cmd.search.summary",
    CmdSearchHelp = "cmd.search.help",
    CmdMoreUsage = "cmd.more.usage",
    CmdMoreSummary = "cmd.more.summary",
    CmdMoreHelp = "cmd.more.help",
    CmdPracticeUsage = "cmd.practice.usage",
    CmdPracticeSummary = "cmd.practice.summary",
    CmdPracticeHelp = "cmd.practice.help",
    CmdShareUsage = "cmd.share.usage",
    CmdShareSummary = "cmd.share.summary",
    CmdShareHelp = "cmd.share.help",
    CmdPendingUsage = "cmd.pending.usage",
    CmdPendingSummary = "cmd.pending.summary",
    CmdPendingHelp = "cmd.pending.help",
    CmdApproveUsage = "cmd.approve.usage",
    CmdApproveSummary = "cmd.approve.summary",
    CmdApproveHelp = "cmd.approve.help",
    CmdDeclineUsage = "cmd.decline.usage",
    CmdDeclineSummary = "cmd.decline.summary",
    CmdDeclineHelp = "cmd.decline.help",
    CmdRateUsage = "cmd.rate.usage",
    CmdRateSummary = "cmd.rate.summary",
    CmdRateHelp = "cmd.rate.help",
    SearchHeader = "search.header",
    SearchHit = "search.hit",
    SearchNone = "search.none",
    SearchMoreHint = "search.more_hint",
    SearchOpenHint = "search.open_hint",
    SearchNoOrganisation = "search.no_organisation",
    SearchNoYear = "search.no_year",
    SearchNearHeader = "search.near_header",
    SearchNearNotice = "search.near_notice",
    SearchDidYouMean = "search.did_you_mean",
    MoreNothing = "more.nothing",
    MoreEnd = "more.end",
    PracticeNotFound = "practice.not_found",
    PracticeTitle = "practice.title",
    PracticeMeta = "practice.meta",
    PracticeTags = "practice.tags",
    PracticeRating = "practice.rating",
    PracticeUnrated = "practice.unrated",
    PracticeSource = "practice.source",
    PracticePending = "practice.pending",
    PracticeUnknown = "practice.unknown",
    PracticeTypeStrategicPlan = "practice.type.strategic_plan",
    PracticeTypeMethodology = "practice.type.methodology",
    PracticeTypeGuideline = "practice.type.guideline",
    PracticeTypeExperience = "practice.type.experience",
    PracticeTypeSoftware = "practice.type.software",
    PracticeTypeOther = "practice.type.other",
    RepositoryUnavailable = "repository.unavailable",
    ShareDone = "share.done",
    ShareInvalid = "share.invalid",
    PendingHeader = "pending.header",
    PendingLine = "pending.line",
    PendingNone = "pending.none",
    ApproveDone = "approve.done",
    DeclineDone = "decline.done",
    DeclinePublished = "decline.published",
    RateDone = "rate.done",
    CardRelatedHeader = "card.related_header",
    CardRelated = "card.related",
    HelpHeader = "help.header",
    HelpLine = "help.line",
    HelpFooter = "help.footer",
    HelpModeratorOnly = "help.moderator_only",
    HelpNoSuchCommand = "help.no_such_command",
    HelpDetail = "help.detail",
    UnknownReply = "unknown.reply",
    ParseTooManyArguments = "parse.too_many_arguments",
    ServerNotAllowed = "server.not_allowed",
    PingReply = "ping.reply",
    CmdWhoamiUsage = "cmd.whoami.usage",
    CmdWhoamiSummary = "cmd.whoami.summary",
    CmdWhoamiHelp = "cmd.whoami.help",
    WhoamiReply = "whoami.reply",
    WhoamiModerator = "whoami.moderator",
    WhoamiParticipant = "whoami.participant",
    CmdLanguageUsage = "cmd.language.usage",
    CmdLanguageSummary = "cmd.language.summary",
    CmdLanguageHelp = "cmd.language.help",
    LanguageCurrent = "language.current",
    LanguageSet = "language.set",
    CmdDigestUsage = "cmd.digest.usage",
    CmdDigestSummary = "cmd.digest.summary",
    CmdDigestHelp = "cmd.digest.help",
    DigestDaily = "digest.daily",
    DigestWeekly = "digest.weekly",
    DigestAllSections = "digest.all_sections",
    DigestSet = "digest.set",
    DigestCurrent = "digest.current",
    DigestNone = "digest.none",
    DigestPollClosing = "digest.poll_closing",
    DigestSecretPoll = "digest.secret_poll",
    PrioritiseCloses = "prioritise.closes",
    PrioritiseUntilPast = "prioritise.until_past",
    PollClosedByItself = "poll.closed_by_itself",
    EncryptionResend = "encryption.resend",
    EncryptionPlanRoom = "encryption.plan_room",
    DigestOff = "digest.off",
    DigestNoSuchSection = "digest.no_such_section",
    DigestHeader = "digest.header",
    DigestNewProposal = "digest.new_proposal",
    DigestOwnChanged = "digest.own_changed",
    DigestOwnAnswered = "digest.own_answered",
    DigestComments = "digest.comments",
    DigestPoll = "digest.poll",
    CmdHelpUsage = "cmd.help.usage",
    CmdHelpSummary = "cmd.help.summary",
    CmdHelpHelp = "cmd.help.help",
    CmdPingUsage = "cmd.ping.usage",
    CmdPingSummary = "cmd.ping.summary",
    CmdPingHelp = "cmd.ping.help",
    CmdExportUsage = "cmd.export.usage",
    CmdExportSummary = "cmd.export.summary",
    CmdExportHelp = "cmd.export.help",
    ExportReady = "export.ready",
    CmdPromoteUsage = "cmd.promote.usage",
    CmdPromoteSummary = "cmd.promote.summary",
    CmdPromoteHelp = "cmd.promote.help",
    PromoteNoMessage = "promote.no_message",
    PromoteAlready = "promote.already",
    ProposeSimilar = "propose.similar",
    EditHasVotes = "edit.has_votes",
    EditClosed = "edit.closed",
    EditDone = "edit.done",
    CmdPrioritiseUsage = "cmd.prioritise.usage",
    CmdPrioritiseSummary = "cmd.prioritise.summary",
    CmdPrioritiseHelp = "cmd.prioritise.help",
    CmdCloseUsage = "cmd.close.usage",
    CmdCloseSummary = "cmd.close.summary",
    CmdCloseHelp = "cmd.close.help",
    PrioritiseTooFew = "prioritise.too_few",
    PrioritiseQuestion = "prioritise.question",
    PrioritiseOpened = "prioritise.opened",
    CloseNoPoll = "close.no_poll",
    CloseHeader = "close.header",
    CloseLine = "close.line",
    CmdBallotUsage = "cmd.ballot.usage",
    CmdBallotSummary = "cmd.ballot.summary",
    CmdBallotHelp = "cmd.ballot.help",
    BallotInDirect = "ballot.in_direct",
    BallotNoSuchPoll = "ballot.no_such_poll",
    BallotClosed = "ballot.closed",
    BallotOptions = "ballot.options",
    BallotCast = "ballot.cast",
    BallotUnreadable = "ballot.unreadable",
    BallotNoSuchOption = "ballot.no_such_option",
    BallotTooMany = "ballot.too_many",
    SecretOption = "secret.option",
    SecretOpened = "secret.opened",
    SecretClosed = "secret.closed",
    SecretReceipts = "secret.receipts",
    SecretReceipt = "secret.receipt",
    NotASectionRoom = "not_a_section_room",
    ModeratorsOnly = "moderators_only",
    PlanRoomsOnly = "plan_rooms_only",
    BelongsInSection = "belongs_in.section",
    BelongsInPlan = "belongs_in.plan",
    ProposalsMineHeader = "proposals.mine_header",
    CmdStatsUsage = "cmd.stats.usage",
    CmdStatsSummary = "cmd.stats.summary",
    CmdStatsHelp = "cmd.stats.help",
    StatsHeader = "stats.header",
    StatsLine = "stats.line",
    StatsNothing = "stats.nothing",
    ProposalNotFound = "proposal.not_found",
    ProposalRedacted = "proposal.redacted",
    TombstoneProposal = "tombstone.proposal",
    TombstoneComment = "tombstone.comment",
    TombstoneCard = "tombstone.card",
    ShareRedacted = "share.redacted",
    ExportMdRedacted = "export.md.redacted",
    ExportMdMonitoring = "export.md.monitoring",
    ExportMdResults = "export.md.results",
    ExportMdResultsColumns = "export.md.results_columns",
    ExportMdActions = "export.md.actions",
    ExportMdActionsColumns = "export.md.actions_columns",
    PublishCatalogueTitle = "publish.catalogue.title",
    PublishCatalogueAbout = "publish.catalogue.about",
    PublishTitleProposals = "publish.title.proposals",
    PublishAboutProposals = "publish.about.proposals",
    PublishTitleComments = "publish.title.comments",
    PublishAboutComments = "publish.about.comments",
    PublishTitleItems = "publish.title.items",
    PublishAboutItems = "publish.about.items",
    PublishTitleItemComments = "publish.title.item_comments",
    PublishAboutItemComments = "publish.about.item_comments",
    PublishTitleObjectives = "publish.title.objectives",
    PublishAboutObjectives = "publish.about.objectives",
    PublishTitleResults = "publish.title.results",
    PublishAboutResults = "publish.about.results",
    PublishTitleMeasurements = "publish.title.measurements",
    PublishAboutMeasurements = "publish.about.measurements",
    PublishTitleActions = "publish.title.actions",
    PublishAboutActions = "publish.about.actions",
    PublishTitleProgress = "publish.title.progress",
    PublishAboutProgress = "publish.about.progress",
    PublishTitleExport = "publish.title.export",
    PublishAboutExport = "publish.about.export",
    PublishTitlePractices = "publish.title.practices",
    PublishAboutPractices = "publish.about.practices",
    VoteNotLive = "vote.not_live",
    VoteSupportLimit = "vote.support_limit",
    PhaseRefusal = "phase.refusal",
    PhaseConsultation = "phase.consultation",
    PhasePrioritisation = "phase.prioritisation",
    PhaseConsolidation = "phase.consolidation",
    PhaseMonitoring = "phase.monitoring",
    PhaseClosed = "phase.closed",
    StateOpen = "state.open",
    StateEvaluating = "state.evaluating",
    StateAccepted = "state.accepted",
    StateRejected = "state.rejected",
    StateWithdrawn = "state.withdrawn",
    StateMerged = "state.merged",
    ParseMissing = "parse.missing",
    ParseInvalid = "parse.invalid",
    CardTitle = "card.title",
    CardDescription = "card.description",
    CardMeta = "card.meta",
    CardAnswer = "card.answer",
    CardTally = "card.tally",
    CardHidden = "card.hidden",
    ProposeTooLong = "propose.too_long",
    VoteSupported = "vote.supported",
    VoteOpposed = "vote.opposed",
    UnvoteNothing = "unvote.nothing",
    UnvoteDone = "unvote.done",
    WithdrawNotAuthor = "withdraw.not_author",
    WithdrawNotLive = "withdraw.not_live",
    WithdrawNotice = "withdraw.notice",
    ShowComments = "show.comments",
    ShowByOrganisation = "show.by_organisation",
    ShowOrganisationLine = "show.organisation_line",
    ShowHidden = "show.hidden",
    ProposalsNone = "proposals.none",
    ProposalsHeader = "proposals.header",
    ProposalsLine = "proposals.line",
    ProposalsPage = "proposals.page",
    FeedbackThanks = "feedback.thanks",
    CommentTooLong = "comment.too_long",
    BudgetExceeded = "budget.exceeded",
    PhaseSet = "phase.set",
    PhaseSetAll = "phase.set_all",
    ModerationNotice = "moderation.notice",
    ModerationNotMovable = "moderation.not_movable",
    MergeRefused = "merge.refused",
    MergeSupporters = "merge.supporters",
    HideDone = "hide.done",
    CmdProposeUsage = "cmd.propose.usage",
    CmdProposeSummary = "cmd.propose.summary",
    CmdProposeHelp = "cmd.propose.help",
    CmdProposalsUsage = "cmd.proposals.usage",
    CmdProposalsSummary = "cmd.proposals.summary",
    CmdProposalsHelp = "cmd.proposals.help",
    CmdShowUsage = "cmd.show.usage",
    CmdShowSummary = "cmd.show.summary",
    CmdShowHelp = "cmd.show.help",
    CmdVoteUsage = "cmd.vote.usage",
    CmdVoteSummary = "cmd.vote.summary",
    CmdVoteHelp = "cmd.vote.help",
    CmdUnvoteUsage = "cmd.unvote.usage",
    CmdUnvoteSummary = "cmd.unvote.summary",
    CmdUnvoteHelp = "cmd.unvote.help",
    CmdWithdrawUsage = "cmd.withdraw.usage",
    CmdWithdrawSummary = "cmd.withdraw.summary",
    CmdWithdrawHelp = "cmd.withdraw.help",
    CmdFeedbackUsage = "cmd.feedback.usage",
    CmdFeedbackSummary = "cmd.feedback.summary",
    CmdFeedbackHelp = "cmd.feedback.help",
    CmdPhaseUsage = "cmd.phase.usage",
    CmdPhaseSummary = "cmd.phase.summary",
    CmdPhaseHelp = "cmd.phase.help",
    CmdEvaluateUsage = "cmd.evaluate.usage",
    CmdEvaluateSummary = "cmd.evaluate.summary",
    CmdEvaluateHelp = "cmd.evaluate.help",
    CmdAcceptUsage = "cmd.accept.usage",
    CmdAcceptSummary = "cmd.accept.summary",
    CmdAcceptHelp = "cmd.accept.help",
    CmdRejectUsage = "cmd.reject.usage",
    CmdRejectSummary = "cmd.reject.summary",
    CmdRejectHelp = "cmd.reject.help",
    CmdAnswerUsage = "cmd.answer.usage",
    CmdAnswerSummary = "cmd.answer.summary",
    CmdAnswerHelp = "cmd.answer.help",
    CmdMergeUsage = "cmd.merge.usage",
    CmdMergeSummary = "cmd.merge.summary",
    CmdMergeHelp = "cmd.merge.help",
    CmdHideUsage = "cmd.hide.usage",
    CmdHideSummary = "cmd.hide.summary",
    CmdHideHelp = "cmd.hide.help",
    ExportMdGenerated = "export.md.generated",
    ExportMdPublic = "export.md.public",
    ExportMdFull = "export.md.full",
    ExportMdNoProposals = "export.md.no_proposals",
    ExportMdColumns = "export.md.columns",
    ExportMdComments = "export.md.comments",
    ExportMdComment = "export.md.comment",
    ExportMdOnSection = "export.md.on_section",
}

const IT_SOURCE: &str = include_str!("../../i18n/it.toml");
const EN_SOURCE: &str = include_str!("../../i18n/en.toml");

/// One language's templates, parsed once.
pub struct Catalogue {
    language: Language,
    templates: HashMap<String, String>,
}

static IT: LazyLock<Catalogue> = LazyLock::new(|| Catalogue::parse(Language::It, IT_SOURCE));
static EN: LazyLock<Catalogue> = LazyLock::new(|| Catalogue::parse(Language::En, EN_SOURCE));

impl Catalogue {
    pub fn get(language: Language) -> &'static Catalogue {
        match language {
            Language::It => &IT,
            Language::En => &EN,
        }
    }

    fn parse(language: Language, source: &str) -> Catalogue {
        // The catalogues are compiled in and checked by tests, so a broken one is a build
        // defect; an empty catalogue would still render each key's name rather than panic.
        let templates = toml::from_str(source).unwrap_or_default();
        Catalogue {
            language,
            templates,
        }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// How this language writes numbers (`1.234,5` or `1,234.5`).
    pub fn numbers(&self) -> crate::render::Numbers {
        match self.language {
            Language::It => crate::render::Numbers::Italian,
            Language::En => crate::render::Numbers::English,
        }
    }

    /// The raw template of a key; the key's name itself when missing, so nothing panics.
    pub fn template(&self, msg: Msg) -> &str {
        self.templates
            .get(msg.key())
            .map(String::as_str)
            .unwrap_or(msg.key())
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.templates.keys().map(String::as_str)
    }

    /// Renders a message with named arguments.
    pub fn render(&self, msg: Msg, args: &[(&str, &str)]) -> Rendered {
        render_template(self.template(msg), args)
    }

    /// Renders a message without arguments.
    pub fn text(&self, msg: Msg) -> Rendered {
        self.render(msg, &[])
    }
}

/// A message in both forms a Matrix `m.notice` carries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rendered {
    pub body: String,
    pub html: String,
}

impl Rendered {
    /// Users as Matrix pills: their IDs in the body, links to `matrix.to` in the HTML (which
    /// clients show as mentions).
    pub fn pills(users: &[String]) -> Rendered {
        let html = maud::html! {
            @for (i, user) in users.iter().enumerate() {
                @if i > 0 { ", " }
                a href=(format!("https://matrix.to/#/{user}")) { (user) }
            }
        };
        Rendered {
            body: users.join(", "),
            html: html.into_string(),
        }
    }

    /// This message followed by `other`, a space between.
    pub fn then(mut self, other: Rendered) -> Rendered {
        self.body.push(' ');
        self.body.push_str(&other.body);
        self.html.push(' ');
        self.html.push_str(&other.html);
        self
    }

    /// Joins messages as lines.
    pub fn lines(parts: impl IntoIterator<Item = Rendered>) -> Rendered {
        let mut out = Rendered::default();
        for (i, part) in parts.into_iter().enumerate() {
            if i > 0 {
                out.body.push('\n');
                out.html.push_str("<br>");
            }
            out.body.push_str(&part.body);
            out.html.push_str(&part.html);
        }
        out
    }
}

/// Placeholder names in a template, in order of appearance.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let inside = &after[..end];
                names.push(inside.split('|').next().unwrap_or(inside));
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    names
}

fn render_template(template: &str, args: &[(&str, &str)]) -> Rendered {
    let mut body = String::with_capacity(template.len());
    let mut html = String::with_capacity(template.len() + 16);
    let mut in_code = false;
    let mut in_bold = false;
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('{') {
            if let Some(end) = after.find('}') {
                let mut parts = after[..end].split('|');
                let name = parts.next().unwrap_or_default();
                let forms = (parts.next(), parts.next());
                if let Some((_, value)) = args.iter().find(|(arg, _)| *arg == name) {
                    let word = match forms {
                        (Some(one), Some(other)) => plural_form(value, one, other),
                        _ => value,
                    };
                    body.push_str(word);
                    push_escaped(&mut html, word);
                    rest = &after[end + 1..];
                    continue;
                }
            }
        }
        if let Some(after) = rest.strip_prefix("**") {
            html.push_str(if in_bold { "</strong>" } else { "<strong>" });
            in_bold = !in_bold;
            rest = after;
            continue;
        }
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        rest = chars.as_str();
        match c {
            '`' => {
                body.push('`');
                html.push_str(if in_code { "</code>" } else { "<code>" });
                in_code = !in_code;
            }
            '\n' => {
                body.push('\n');
                html.push_str("<br>");
            }
            _ => {
                body.push(c);
                let mut buffer = [0; 4];
                push_escaped(&mut html, c.encode_utf8(&mut buffer));
            }
        }
    }
    if in_code {
        html.push_str("</code>");
    }
    if in_bold {
        html.push_str("</strong>");
    }
    Rendered { body, html }
}

/// The form of a word that agrees with `number` (Italian and English: `one` only for 1).
fn plural_form<'a>(number: &str, one: &'a str, other: &'a str) -> &'a str {
    if number.trim().parse::<f64>() == Ok(1.0) {
        one
    } else {
        other
    }
}

/// Escapes text for an HTML `formatted_body`.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// User text into an HTML body with the project's one escaper (maud's: `&`, `<`, `>` and `"`,
/// so it is safe in double-quoted attributes too), its line breaks as `<br>`.
fn push_escaped(out: &mut String, text: &str) {
    use std::fmt::Write as _;
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<br>");
        }
        // Writing into a String cannot fail.
        let _ = maud::Escaper::new(out).write_str(line);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_key_is_in_both_catalogues_with_the_same_placeholders() {
        let it = Catalogue::get(Language::It);
        let en = Catalogue::get(Language::En);
        let expected: BTreeSet<&str> = Msg::ALL.iter().map(|m| m.key()).collect();
        assert_eq!(it.keys().collect::<BTreeSet<_>>(), expected, "it.toml keys");
        assert_eq!(en.keys().collect::<BTreeSet<_>>(), expected, "en.toml keys");
        for &msg in Msg::ALL {
            let (it_t, en_t) = (it.template(msg), en.template(msg));
            assert!(
                !it_t.trim().is_empty() && !en_t.trim().is_empty(),
                "{msg:?} empty"
            );
            let (mut a, mut b) = (placeholders(it_t), placeholders(en_t));
            a.sort();
            b.sort();
            assert_eq!(a, b, "placeholders of {msg:?} differ between it and en");
            assert_eq!(
                it_t.matches('`').count() % 2,
                0,
                "unbalanced backticks in it {msg:?}"
            );
            assert_eq!(
                en_t.matches('`').count() % 2,
                0,
                "unbalanced backticks in en {msg:?}"
            );
        }
    }

    #[test]
    fn user_text_is_escaped_in_html_only() {
        let it = Catalogue::get(Language::It);
        let r = it.render(Msg::UnknownReply, &[("name", "<b>x</b> & \"y\"")]);
        assert!(r.body.contains("«<b>x</b> & \"y\"»"), "{}", r.body);
        assert!(
            r.html.contains("&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot;"),
            "{}",
            r.html
        );
        assert!(r.html.contains("<code>!help</code>"), "{}", r.html);
        assert!(!r.html.contains("<b>"));
    }

    #[test]
    fn lines_join_both_forms() {
        let en = Catalogue::get(Language::En);
        let joined = Rendered::lines([en.text(Msg::HelpHeader), en.text(Msg::HelpFooter)]);
        assert_eq!(joined.body.lines().count(), 2);
        assert!(joined.html.contains("<br>"));
    }

    #[test]
    fn plural_forms_agree_with_their_number() {
        let it = Catalogue::get(Language::It);
        let line = |votes: &str| {
            it.render(
                Msg::CloseLine,
                &[
                    ("rank", "1"),
                    ("number", "4"),
                    ("title", "T"),
                    ("votes", votes),
                ],
            )
            .body
        };
        assert!(line("1").ends_with("— 1 voto"), "{}", line("1"));
        assert!(line("0").ends_with("— 0 voti"), "{}", line("0"));
        assert!(line("12").ends_with("— 12 voti"), "{}", line("12"));
        let en = Catalogue::get(Language::En);
        let ready = |proposals: &str, comments: &str| {
            en.render(
                Msg::ExportReady,
                &[
                    ("proposals", proposals),
                    ("comments", comments),
                    ("files", "f"),
                ],
            )
            .body
        };
        assert!(
            ready("1", "2").contains("1 proposal, 2 comments"),
            "{}",
            ready("1", "2")
        );
        assert!(
            ready("3", "1").contains("3 proposals, 1 comment "),
            "{}",
            ready("3", "1")
        );
    }

    #[test]
    fn missing_argument_leaves_the_placeholder_visible() {
        let r = render_template("a {x} b {y}", &[("y", "2")]);
        assert_eq!(r.body, "a {x} b 2");
    }
}
