//! Explicit migration of older state documents to the current [`SCHEMA`].
//!
//! This module owns the table of migration steps, each turning schema `n` into `n + 1` as
//! plain JSON, run in order. It must not guess: a schema with no step (there are no older
//! schemas yet, so today every schema below [`SCHEMA`] is unknown) is rejected with a clear
//! error, and a newer schema is never "migrated" down. Guarantees: a migrated value carries
//! `"schema": SCHEMA`; the input is consumed, never written back by this module (the store
//! writes the current schema on its next save).

use serde_json::Value;

use super::SCHEMA;

/// One migration step: the schema it reads (it writes that plus one) and the function.
type Step = (u32, fn(Value) -> Result<Value, MigrationError>);

/// Every known migration step, oldest first. Empty while schema 1 is the only schema.
///
/// When schema 2 arrives, add `(1, v1_to_v2)` here, with a unit test from a real schema-1
/// file.
const STEPS: &[Step] = &[];

/// Why a document could not be brought to the current schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrationError {
    /// No migration step starts at this schema.
    #[error(
        "schema {schema} is not one this rotate-cert can migrate (it reads schema {SCHEMA} and migrates none older)"
    )]
    UnknownSchema {
        /// The schema with no migration step.
        schema: u32,
    },
    /// The schema is newer than this rotate-cert understands.
    #[error("schema {schema} is newer than this rotate-cert understands (schema {SCHEMA})")]
    Newer {
        /// The document's schema.
        schema: u32,
    },
    /// A step found the document not in the shape its schema promises.
    #[error("cannot migrate from schema {schema}: {reason}")]
    Malformed {
        /// The schema the failing step reads.
        schema: u32,
        /// What was wrong.
        reason: String,
    },
}

/// Brings `value`, a document at schema `from`, to [`SCHEMA`], one step at a time.
pub fn migrate(value: Value, from: u32) -> Result<Value, MigrationError> {
    migrate_with(value, from, STEPS)
}

/// [`migrate`] over an explicit table, so the stepping logic is testable before a second
/// schema exists.
fn migrate_with(mut value: Value, from: u32, steps: &[Step]) -> Result<Value, MigrationError> {
    if from > SCHEMA {
        return Err(MigrationError::Newer { schema: from });
    }
    let mut schema = from;
    while schema < SCHEMA {
        let (_, step) = steps
            .iter()
            .find(|(reads, _)| *reads == schema)
            .ok_or(MigrationError::UnknownSchema { schema })?;
        value = step(value)?;
        schema += 1;
    }
    match value.as_object_mut() {
        Some(object) => {
            object.insert("schema".to_string(), Value::from(SCHEMA));
            Ok(value)
        }
        None => Err(MigrationError::Malformed {
            schema: from,
            reason: "the document is not a JSON object".to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn current_schema_passes_through() {
        let value = json!({"schema": SCHEMA, "serial": 3});
        assert_eq!(migrate(value.clone(), SCHEMA), Ok(value));
    }

    #[test]
    fn unknown_older_schema_is_rejected_clearly() {
        let err = migrate(json!({"schema": 0, "serial": 3}), 0).unwrap_err();
        assert_eq!(err, MigrationError::UnknownSchema { schema: 0 });
        let text = err.to_string();
        assert!(text.contains("schema 0"), "{text}");
        assert!(
            text.contains("cannot migrate") || text.contains("not one"),
            "{text}"
        );
    }

    #[test]
    fn newer_schema_is_never_migrated_down() {
        let err = migrate(json!({"schema": SCHEMA + 1}), SCHEMA + 1).unwrap_err();
        assert_eq!(err, MigrationError::Newer { schema: SCHEMA + 1 });
    }

    /// A made-up schema 0 that called the serial `revision`.
    fn fake_v0_to_v1(mut value: Value) -> Result<Value, MigrationError> {
        let object = value
            .as_object_mut()
            .ok_or_else(|| MigrationError::Malformed {
                schema: 0,
                reason: "not an object".into(),
            })?;
        let revision = object
            .remove("revision")
            .ok_or_else(|| MigrationError::Malformed {
                schema: 0,
                reason: "missing `revision`".into(),
            })?;
        object.insert("serial".into(), revision);
        Ok(value)
    }

    #[test]
    fn steps_run_in_order_and_stamp_the_schema() {
        let steps: &[Step] = &[(0, fake_v0_to_v1)];
        let migrated = migrate_with(json!({"schema": 0, "revision": 7}), 0, steps).unwrap();
        assert_eq!(migrated, json!({"schema": SCHEMA, "serial": 7}));

        let err = migrate_with(json!({"schema": 0}), 0, steps).unwrap_err();
        assert!(
            matches!(err, MigrationError::Malformed { schema: 0, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("missing `revision`"));
    }
}
