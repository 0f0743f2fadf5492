//! Delivery (docs/model.md, section 7.15, model v3): what becomes of the work people produce.
//! Every change needs review by teammates whose capacity is limited; when a team produces more
//! than it can review, a queue builds, review time grows, part of the waiting work is merged
//! unreviewed and part is abandoned. Defects grow with the volume of AI-assisted work and with
//! inexperience; review catches a share of those in the work it reviews, and the rest escape
//! into production as bugs and incidents, which cost output. So an organisation's gain is less
//! than the sum of its people's gains: DX (Q4 2025, ~135k developers) found ~10% at the
//! organisation, flat through the year, while Microsoft's 2026 rollout measured adopters merging
//! ~24% more pull requests; Faros (2026, 22,000 developers, each team's quarters of lowest
//! against highest AI adoption) saw tasks +34%, merged pull requests +16%, bugs per developer
//! +54%, median review time about fivefold and 31% more pull requests merged without review.
//! Pure functions; the projections keep one [`Queue`] per team.

use crate::scenario::raw::Work;

/// The delivery parameters of `[work]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Review capacity above the team's no-AI load, as a share of it; `None`: unlimited.
    pub slack: Option<f64>,
    /// Share of changes merged without review whatever the load (trivial changes).
    pub unreviewed_base: f64,
    /// Weekly share of the work waiting for review that is merged without it.
    pub drain: f64,
    /// Weekly share of the work waiting for review that is abandoned (lost).
    pub abandon: f64,
    /// Share of a reviewed change's defects that review catches.
    pub catch: f64,
    /// Extra defects per unit of AI-assisted work (`skill * ln(1 + E/kappa)`) of an expert,
    /// relative to one per unit of output; a novice's are twice an expert's.
    pub defect_ai: f64,
    /// Output units an escaped defect costs (bugs, incidents, their fixing).
    pub defect_cost: f64,
}

impl Params {
    pub fn of(w: &Work) -> Params {
        Params {
            slack: (w.review_capacity > 0.0).then_some(w.review_capacity),
            unreviewed_base: w.unreviewed_base,
            drain: w.review_drain,
            abandon: w.review_abandon,
            catch: w.review_catch,
            defect_ai: w.defect_ai,
            defect_cost: w.defect_cost,
        }
    }

    /// The team's review capacity a week, in output units, for a no-AI output of `skill_sum`.
    fn capacity(&self, skill_sum: f64) -> f64 {
        self.slack.map_or(f64::INFINITY, |k| {
            (1.0 + k) * (1.0 - self.unreviewed_base) * skill_sum
        })
    }

    /// Defects escaping a week of no-AI work of `skill_sum` (no queue, one defect a unit).
    fn escaped_without_ai(&self, skill_sum: f64) -> f64 {
        let b = self.unreviewed_base;
        skill_sum * (b + (1.0 - b) * (1.0 - self.catch))
    }
}

/// Defects in one person's week: one per unit of output, plus the AI-assisted work's own,
/// `defect_ai * skill * ln(1 + E/kappa) * (2 - q)` (twice an expert's for a novice).
pub fn defects(p: &Params, output: f64, skill: f64, log_use: f64, q: f64) -> f64 {
    output.max(0.0) + p.defect_ai * skill * log_use * (2.0 - q.clamp(0.0, 1.0))
}

/// A team's work waiting for review, and the defects in it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Queue {
    pub work: f64,
    pub defects: f64,
}

/// A team's week: the work its members produced (output units, negative output counted as
/// none) and the defects in it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Produced {
    pub work: f64,
    pub defects: f64,
    /// Review effort beyond one unit per unit of work, from work split into more changes
    /// under an outcome metric (docs/model.md, 7.16): `sum of work * ((1 + x)^split_review - 1)`.
    pub split_effort: f64,
}

impl Produced {
    /// Review effort per unit of this week's work (1 without splitting): capacity reviews that
    /// much less work, and the work in review takes that much longer.
    pub fn effort_per_unit(&self) -> f64 {
        if self.work > 0.0 {
            1.0 + self.split_effort / self.work
        } else {
            1.0
        }
    }
}

/// What a team delivered in a week.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Delivered {
    /// Work merged, reviewed or not (output units).
    pub merged: f64,
    /// Of which merged without review.
    pub unreviewed: f64,
    /// Waiting work given up this week.
    pub abandoned: f64,
    /// Defects that reached production.
    pub escaped: f64,
    /// Work in review this week (waiting plus new) over the no-AI load: review time relative
    /// to working without AI (Little's law at a fixed capacity).
    pub review_load: f64,
    /// Output units lost to the defects escaping beyond the no-AI level.
    pub quality_cost: f64,
    /// Value over the no-AI week: merged work less the team's no-AI output and the quality cost.
    pub value: f64,
}

/// The queue a team would have in a steady state of weeks like `week`: where a simulation that
/// starts with people already using AI (a mature organisation) starts its queues, so its first
/// weeks are not a warm-up. Empty when the team's capacity keeps up.
pub fn steady_queue(p: &Params, skill_sum: f64, week: Produced) -> Queue {
    let incoming = (1.0 - p.unreviewed_base) * week.work;
    let over = incoming - p.capacity(skill_sum) / week.effort_per_unit();
    let out = p.drain + p.abandon;
    if over <= 0.0 || out <= 0.0 || week.work <= 0.0 {
        return Queue::default();
    }
    let work = (1.0 - out) * over / out;
    Queue {
        work,
        defects: work * week.defects / week.work,
    }
}

/// One week of a team's delivery: the base share of the new work merges unreviewed at once;
/// the rest joins the queue; review takes what capacity allows (oldest and newest alike, at the
/// queue's mean defect density; work split into more changes takes more of the capacity, at
/// this week's effort per unit); of what is left, `drain` merges unreviewed and `abandon` is
/// dropped, the rest waits. Updates `queue`.
pub fn week(p: &Params, skill_sum: f64, queue: &mut Queue, new: Produced) -> Delivered {
    let b = p.unreviewed_base;
    let density_new = if new.work > 0.0 {
        new.defects / new.work
    } else {
        0.0
    };
    let in_review = queue.work + (1.0 - b) * new.work;
    let defects_in_review = queue.defects + (1.0 - b) * new.defects;
    let density = if in_review > 0.0 {
        defects_in_review / in_review
    } else {
        0.0
    };
    let effort = new.effort_per_unit();
    let reviewed = in_review.min(p.capacity(skill_sum) / effort);
    let left = in_review - reviewed;
    let (drained, abandoned) = (p.drain * left, p.abandon * left);
    queue.work = left - drained - abandoned;
    queue.defects = queue.work * density;
    let direct = b * new.work;
    let escaped = direct * density_new + density * (reviewed * (1.0 - p.catch) + drained);
    let quality_cost = p.defect_cost * (escaped - p.escaped_without_ai(skill_sum));
    let merged = reviewed + drained + direct;
    Delivered {
        merged,
        unreviewed: drained + direct,
        abandoned,
        escaped,
        review_load: if skill_sum > 0.0 {
            in_review * effort / ((1.0 - b) * skill_sum)
        } else {
            0.0
        },
        quality_cost,
        value: merged - skill_sum - quality_cost,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Params {
        Params {
            slack: Some(0.05),
            unreviewed_base: 0.1,
            drain: 0.02,
            abandon: 0.02,
            catch: 0.6,
            defect_ai: 0.2,
            defect_cost: 0.5,
        }
    }

    fn no_ai(skill: f64) -> Produced {
        Produced {
            work: skill,
            defects: skill,
            split_effort: 0.0,
        }
    }

    #[test]
    fn without_ai_a_team_delivers_its_work_at_no_cost_and_no_queue() {
        // given a team of skill 10 working without AI
        let p = params();
        let mut q = Queue::default();
        // when it delivers a week, then everything merges, nothing waits, value and cost are 0
        let d = week(&p, 10.0, &mut q, no_ai(10.0));
        assert!((d.merged - 10.0).abs() < 1e-12 && d.value.abs() < 1e-12);
        assert!(d.quality_cost.abs() < 1e-12 && (d.review_load - 1.0).abs() < 1e-12);
        assert_eq!(q, Queue::default());
        assert!(
            (d.unreviewed - 1.0).abs() < 1e-12,
            "the base 10% merges unreviewed"
        );
    }

    #[test]
    fn more_work_than_review_capacity_builds_a_queue_and_merges_more_unreviewed() {
        // given a team producing 30% more work than without AI, each unit with more defects
        let p = params();
        let mut q = Queue::default();
        let more = Produced {
            work: 13.0,
            defects: 15.0,
            split_effort: 0.0,
        };
        // when it runs for a year, then review time grows week after week towards the steady
        // state, unreviewed merges and escaped defects rise, and part of the work is abandoned
        let first = week(&p, 10.0, &mut q, more);
        let mut last = first;
        for _ in 0..51 {
            last = week(&p, 10.0, &mut q, more);
        }
        let base = week(&p, 10.0, &mut Queue::default(), no_ai(10.0));
        assert!(last.review_load > first.review_load && first.review_load > base.review_load);
        assert!(last.unreviewed > base.unreviewed && last.escaped > base.escaped);
        assert!(last.abandoned > 0.0 && last.merged < 13.0);
        // and the steady queue is what a long run converges to
        let steady = steady_queue(&p, 10.0, more);
        for _ in 0..2000 {
            week(&p, 10.0, &mut q, more);
        }
        assert!((q.work - steady.work).abs() < 1e-9 * steady.work.max(1.0));
        assert!((q.defects - steady.defects).abs() < 1e-9 * steady.defects.max(1.0));
    }

    #[test]
    fn value_is_merged_work_less_the_cost_of_escaped_defects() {
        // given more work with no more defects per unit, and no limit on review
        let p = Params {
            slack: None,
            ..params()
        };
        let mut q = Queue::default();
        let d = week(
            &p,
            10.0,
            &mut q,
            Produced {
                work: 12.0,
                defects: 12.0,
                split_effort: 0.0,
            },
        );
        // then it all merges, and the extra defects of the extra work cost their share
        let escaped_per_unit = 0.1 + 0.9 * 0.4;
        assert!((d.merged - 12.0).abs() < 1e-12);
        assert!((d.escaped - 12.0 * escaped_per_unit).abs() < 1e-12);
        let cost = 0.5 * 2.0 * escaped_per_unit;
        assert!((d.quality_cost - cost).abs() < 1e-12);
        assert!((d.value - (2.0 - cost)).abs() < 1e-12);
    }

    #[test]
    fn ai_assisted_work_carries_more_defects_more_for_novices() {
        let p = params();
        let none = defects(&p, 1.0, 1.0, 0.0, 0.5);
        let expert = defects(&p, 1.0, 1.0, 1.0, 1.0);
        let novice = defects(&p, 1.0, 1.0, 1.0, 0.0);
        assert_eq!(none, 1.0);
        assert!((expert - 1.2).abs() < 1e-12 && (novice - 1.4).abs() < 1e-12);
        // a shortfall of output carries no negative defects
        assert_eq!(defects(&p, -0.5, 1.0, 0.0, 0.5), 0.0);
    }

    #[test]
    fn split_work_takes_more_review_so_more_merges_unreviewed() {
        // given the same work and defects, when it comes in twice as many changes (half again
        // the review effort) for a year, then capacity reviews less of it, review takes longer
        // and more merges unreviewed, with more defects escaping
        let p = params();
        let whole = Produced {
            work: 10.5,
            defects: 10.5,
            split_effort: 0.0,
        };
        let split = Produced {
            split_effort: 0.5 * 10.5,
            ..whole
        };
        let year = |new: Produced| {
            let mut q = Queue::default();
            (0..52).map(|_| week(&p, 10.0, &mut q, new)).last().unwrap()
        };
        let (a, b) = (year(whole), year(split));
        assert!(
            b.review_load > 1.4 * a.review_load,
            "{} {}",
            a.review_load,
            b.review_load
        );
        assert!(b.unreviewed > a.unreviewed && b.escaped > a.escaped);
        assert!(b.value < a.value);
        assert!(steady_queue(&p, 10.0, split).work > steady_queue(&p, 10.0, whole).work);
    }

    #[test]
    fn a_slower_team_loses_its_shortfall_in_full() {
        let p = params();
        let d = week(&p, 10.0, &mut Queue::default(), no_ai(9.0));
        // 1 unit less merged, and fewer defects escape than without AI (a negative cost)
        assert!(d.value < -1.0 + 0.5 && d.value > -1.0);
        assert!((d.merged - 9.0).abs() < 1e-12);
    }
}
