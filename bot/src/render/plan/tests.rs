//! Tests of the consolidated plan's renderers.
