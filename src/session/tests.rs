//! Scenario tests of the session core with scripted bytes and a fake clock.
