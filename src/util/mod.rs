//! Small shared helpers with no knowledge of the outside world: human durations and
//! RFC 3339 time formatting. Nothing here does I/O.

pub mod duration;
pub mod time;
