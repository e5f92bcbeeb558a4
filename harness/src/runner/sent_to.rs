//! [`sent_to`]: the backend each call of a run jostle played was sent to, from the client's
//! log and the backends' own records of the calls that reached them (the rules are in
//! [`report::sent_by_header`](crate::report::sent_by_header)'s module).

use super::clients::CallName;
use crate::load::CallLog;
use crate::record::SeenCall;
use std::collections::HashMap;

/// For each call of `log` (named `names[i]` in the load driver's header): the backend that
/// answered it, else the one that received it last among `seen` (each backend's calls, by
/// index), else `None`.
pub(super) fn sent_to(
    log: &CallLog,
    names: &[CallName],
    backends: &[String],
    seen: &[Vec<SeenCall>],
) -> Vec<Option<usize>> {
    let mut reached: HashMap<CallName, (u64, usize)> = HashMap::new();
    for (backend, calls) in seen.iter().enumerate() {
        for call in calls {
            let name = CallName { seed: call.seed, index: call.index };
            let entry = reached.entry(name).or_insert((call.arrival, backend));
            if call.arrival >= entry.0 {
                *entry = (call.arrival, backend);
            }
        }
    }
    let answered = crate::report::sent_by_header(log, backends);
    answered
        .into_iter()
        .enumerate()
        .map(|(i, answered)| {
            answered.or_else(|| names.get(i).and_then(|name| reached.get(name)).map(|&(_, b)| b))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{CallOutcome, CallRecord, Method};
    use std::time::Duration;

    fn call(index: u64, backend: Option<&str>) -> CallRecord {
        CallRecord {
            index,
            method: Method::GetOrder,
            start: Duration::ZERO,
            end: Duration::from_millis(300),
            outcome: CallOutcome::TimedOut,
            backend: backend.map(str::to_owned),
            client: 0,
        }
    }

    #[test]
    fn a_call_is_sent_to_its_answering_backend_else_the_last_one_it_reached_else_none() {
        let backends = vec!["backend-0".to_owned(), "backend-1".to_owned()];
        let log = CallLog {
            calls: vec![call(0, Some("backend-0")), call(1, None), call(2, None), call(3, None)],
            seed: 9,
        };
        let names: Vec<CallName> = (0..4).map(|index| CallName { seed: 9, index }).collect();
        let seen = vec![
            // Call 0 reached backend-0 only; call 2 reached backend-0, then backend-1 (a retry).
            vec![
                SeenCall { seed: 9, index: 0, arrival: 1 },
                SeenCall { seed: 9, index: 2, arrival: 2 },
            ],
            vec![
                SeenCall { seed: 9, index: 1, arrival: 3 },
                SeenCall { seed: 9, index: 2, arrival: 4 },
                // Another load's call 3 (another seed) is not this load's call 3.
                SeenCall { seed: 8, index: 3, arrival: 5 },
            ],
        ];
        assert_eq!(
            sent_to(&log, &names, &backends, &seen),
            vec![Some(0), Some(1), Some(1), None],
            "the answer's header first, then the last backend the call reached, never a guess"
        );
    }
}
