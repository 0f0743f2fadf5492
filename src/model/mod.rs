//! The behavioural model: traits, adoption, the weekly decision, the output side, bots and
//! incidents (docs/model.md). Pure functions of a snapshot and an RNG; no state is mutated here.

pub mod adoption;
pub mod decide;
pub mod delivery;
pub mod gaming;
pub mod lanes;
pub mod managers;
pub mod organisation;
pub mod rank;
pub mod traits;
pub mod work;

/// Fixtures shared by the model's unit tests.
#[cfg(test)]
pub(crate) mod testkit {
    use super::traits::Traits;
    use crate::policy::{GroupSet, PolicyState, Target};
    use crate::scenario::{Scenario, Source};

    /// The built-in baseline scenario.
    pub fn scenario() -> Scenario {
        Scenario::load(&Source::Builtin("baseline".into())).unwrap()
    }

    /// The built-in scenario `name` at `employees` for `weeks` (its own seed).
    pub fn sized(name: &str, employees: i64, weeks: i64) -> Scenario {
        let o = crate::scenario::Overrides {
            employees: Some(employees),
            weeks: Some(weeks),
            seed: None,
        };
        Scenario::load_with(&Source::Builtin(name.into()), &o)
            .unwrap()
            .0
    }

    /// A middling employee: skill 1, fit 0.5, every [0, 1] trait at 0.5, optimism 0.2.
    pub fn traits() -> Traits {
        Traits {
            skill: 1.0,
            ai_fit: 0.5,
            proficiency0: 0.5,
            career_concern: 0.5,
            status_drive: 0.5,
            gaming_aversion: 1.0,
            token_intensity: 1.0,
            trust: 0.5,
            optimism: 0.2,
        }
    }

    /// No policy but an 80% target at 5e5 tokens for group 0.
    pub fn target_policy() -> PolicyState {
        let mut policy = PolicyState::default();
        let mut set = GroupSet::default();
        set.insert(0);
        policy.target = Some(Target {
            share: 0.8,
            theta_tokens: 5e5,
            applies_to: set,
        });
        policy
    }
}
