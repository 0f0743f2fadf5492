//! People x ISO weeks: the one shape both an imported export and a simulated run are reduced to,
//! so the profile of either is computed by the same function.

use crate::engine::NoProgress;
use crate::events::WeekBatch;
use crate::fold::{EventSink, State};
use crate::scenario::Scenario;

/// Weekly figures per person (person-major: `tokens[person * weeks + week]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// The weeks' Mondays (day numbers), consecutive.
    pub weeks: Vec<i64>,
    pub groups: Vec<String>,
    /// Per person: index into `groups`.
    pub group: Vec<u16>,
    /// Per person: a team number, if known.
    pub team: Vec<Option<u32>>,
    /// Per person: appears in the usage export (false: only in the roster).
    pub in_export: Vec<bool>,
    pub tokens: Vec<f64>,
    /// US dollars, when the export has costs.
    pub cost: Option<Vec<f64>>,
    /// Outcome counts by name (see [`super::OUTCOMES`]), those the export has.
    pub outcomes: Vec<(String, Vec<f64>)>,
    /// Remarks on the data (partial weeks).
    pub notes: Vec<String>,
}

impl Panel {
    pub fn people(&self) -> usize {
        self.group.len()
    }

    /// A person's weekly tokens.
    pub fn row(&self, person: usize) -> &[f64] {
        let w = self.weeks.len();
        &self.tokens[person * w..(person + 1) * w]
    }
}

/// Collects every agent's total tokens and output each week of a run.
struct Collector {
    tokens: Vec<Vec<f64>>,
    output: Vec<Vec<f64>>,
}

impl EventSink for Collector {
    fn week(&mut self, _s: &Scenario, b: &WeekBatch, state: &State) {
        let n = state.agents();
        self.tokens
            .push((0..n).map(|i| state.last_total(i)).collect());
        let mut output = vec![0.0; n];
        for (k, agent) in b.work.agent.iter().enumerate() {
            output[agent as usize] = b.work.output[k];
        }
        self.output.push(output);
    }
}

/// The first Monday a simulated panel is dated from (weeks are labelled from it).
pub const SIMULATED_START: i64 = 20_458; // 2026-01-05

/// Run a scenario and reduce it to a panel as a usage export would see it: every employee
/// (as the roster), total tokens a week (genuine, padding and bots), their cost at the
/// scenario's price, and output units in weeks with tokens as the outcome `output`.
pub fn simulated(s: &Scenario, replication: u32) -> Panel {
    let mut c = Collector {
        tokens: Vec::new(),
        output: Vec::new(),
    };
    let state = crate::engine::run(s, replication, &mut [&mut c], &NoProgress);
    let n = state.agents();
    let nw = c.tokens.len();
    let mut tokens = vec![0.0; n * nw];
    let mut output = vec![0.0; n * nw];
    for (w, (t, o)) in c.tokens.iter().zip(&c.output).enumerate() {
        for i in 0..n {
            tokens[i * nw + w] = t[i];
            // An AI usage export reports outcomes only with usage (lines and commits made with
            // the tool), so output counts only in weeks with tokens.
            output[i * nw + w] = if t[i] > 0.0 { o[i] } else { 0.0 };
        }
    }
    let price = s.money.price_usd_per_mtok / 1e6;
    let in_export = (0..n)
        .map(|i| tokens[i * nw..(i + 1) * nw].iter().any(|&t| t > 0.0))
        .collect();
    Panel {
        weeks: (0..nw as i64).map(|k| SIMULATED_START + 7 * k).collect(),
        groups: s.groups.iter().map(|g| g.name.clone()).collect(),
        group: state.group.to_vec(),
        team: state.team.iter().map(|&t| Some(t)).collect(),
        in_export,
        cost: Some(tokens.iter().map(|t| t * price).collect()),
        tokens,
        outcomes: vec![("output".to_string(), output)],
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simulated_start_is_a_monday() {
        use crate::import::dates;
        assert_eq!(dates::date_label(SIMULATED_START), "2026-01-05");
        assert_eq!(dates::weekday(SIMULATED_START), 0);
    }
}
