//! Drawing a [`Schedule`] from a [`Space`] and a seed: the same seed always gives the same
//! schedule (ChaCha8, a named algorithm, so it holds across platforms and rand versions).

use super::schedule::{Event, FaultSpec, Schedule, WARM_UP};
use super::shape::{Latency, Methods, Via};
use super::space::{CLOSED_LATENCY, Space};
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Duration;

/// The gRPC codes a `status` fault draws.
const CODES: [&str; 4] = ["Unavailable", "Internal", "ResourceExhausted", "Unknown"];

/// The kinds a swizzle takes its backends down with: each stands until brought back.
const CLOGS: [&str; 4] = ["refuse", "reset", "blackhole", "hang"];

/// The schedule of `seed` in `space` (which [`Space::validate`] accepted).
pub(super) fn schedule(space: &Space, seed: u64) -> Schedule {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let backends = rng.random_range(space.backends.clone());
    let rate = rng.random_range(space.rate.clone());
    let duration = space.duration;
    // Events start in the load's first half and end by 60 % of it.
    let first = WARM_UP;
    let last = WARM_UP + duration / 2;
    let end_by = WARM_UP + duration * 3 / 5;
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let at = |rng: &mut ChaCha8Rng| Duration::from_millis(rng.random_range(ms(first)..=ms(last)));
    let mut events = Vec::new();
    let initial = initial(&mut rng, backends);
    let faults = rng.random_range(space.faults.clone());
    let mut drawn = 0;
    while drawn < faults && !space.kinds.is_empty() {
        let kind = *space.kinds.choose(&mut rng).unwrap_or(&"restart");
        let start = at(&mut rng);
        let room = end_by.saturating_sub(start).max(Duration::from_millis(50));
        if kind == "swizzle" {
            drawn +=
                swizzle(&mut rng, backends.min(faults - drawn), backends, start, room, &mut events);
            continue;
        }
        let target = target(&mut rng, backends);
        let fault = fault(&mut rng, kind, room, space.deadline);
        events.push(Event::Fault { at: start, target, fault });
        drawn += 1;
    }
    let changes = rng.random_range(space.changes.clone());
    let mut announced = initial.clone();
    let mut times: Vec<Duration> = (0..changes).map(|_| at(&mut rng)).collect();
    times.sort();
    for when in times {
        let hidden: Vec<usize> = (0..backends).filter(|b| !announced.contains(b)).collect();
        let add = !hidden.is_empty() && (announced.len() < 2 || rng.random_bool(0.5));
        if add {
            let backend = *hidden.choose(&mut rng).unwrap_or(&0);
            announced.push(backend);
            events.push(Event::Discovery { at: when, add: vec![backend], remove: vec![] });
        } else if announced.len() >= 2 {
            let backend = *announced.choose(&mut rng).unwrap_or(&0);
            announced.retain(|&b| b != backend);
            events.push(Event::Discovery { at: when, add: vec![], remove: vec![backend] });
        }
    }
    events.sort_by_key(Event::at);
    let shape = shape(space, seed);
    let split = |total: u32| (total / u32::try_from(shape.clients).unwrap_or(1)).max(1);
    Schedule {
        seed,
        backends,
        latency: shape.latency,
        clients: shape.clients,
        rate: split(rate),
        concurrency: shape.concurrency.map(split),
        mix: shape.mix,
        duration,
        deadline: space.deadline,
        via: shape.via,
        initial,
        events,
    }
}

/// The dimensions beside faults, backends and rate.
struct Shape {
    clients: usize,
    /// A closed loop's calls in flight, all clients together.
    concurrency: Option<u32>,
    latency: Option<Latency>,
    mix: Methods,
    via: Via,
}

/// The draws of [`Shape`], from a stream of their own (stream 1 of the seed's ChaCha8): the
/// faults, backends and rate of a seed are those its stream 0 draws, whatever these add.
fn shape(space: &Space, seed: u64) -> Shape {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(1);
    let ms = |d: &Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let clients = rng.random_range(space.clients.clone());
    let closed = space.loops.choose(&mut rng) == Some(&"closed");
    let concurrency = closed.then(|| rng.random_range(space.concurrency.clone()));
    let latency = if closed || rng.random_bool(0.5) {
        let low = if closed {
            (*space.latency.start()).max(CLOSED_LATENCY)
        } else {
            *space.latency.start()
        };
        let base = rng.random_range(ms(&low)..=ms(space.latency.end()));
        let jitter = rng.random_range(0..=base);
        (base > 0).then(|| Latency {
            base: Duration::from_millis(base),
            jitter: Duration::from_millis(jitter),
        })
    } else {
        None
    };
    let mix = mix(&mut rng, &space.methods);
    let via = match space.via.choose(&mut rng) {
        Some(&"dns") => Via::Dns {
            ttl: Duration::from_millis(
                rng.random_range(ms(space.ttl.start())..=ms(space.ttl.end())),
            ),
            min_ttl: Duration::from_millis(
                rng.random_range(ms(space.min_ttl.start())..=ms(space.min_ttl.end())),
            ),
        },
        _ => Via::Stream,
    };
    Shape { clients, concurrency, latency, mix, via }
}

/// A method mix of `methods`: `CreateOrder` only half the time when it is among them,
/// otherwise `create` weighed 1 to 8, `get` and `watch` 0 to 2 each (never all 0).
fn mix(rng: &mut ChaCha8Rng, methods: &[&str]) -> Methods {
    let has = |name: &str| methods.contains(&name);
    if has("create") && rng.random_bool(0.5) {
        return Methods::CREATE;
    }
    let mut weight = |name: &str, most: u32, least: u32| {
        if has(name) { rng.random_range(least..=most) } else { 0 }
    };
    let mut drawn = Methods {
        create: weight("create", 8, 1),
        get: weight("get", 2, 0),
        watch: weight("watch", 2, 0),
    };
    if drawn.create + drawn.get + drawn.watch == 0 {
        // Neither get nor watch drawn, and no create among the methods: the first of them.
        if has("get") { drawn.get = 1 } else { drawn.watch = 1 }
    }
    drawn
}

/// The backends announced at the start: usually all, sometimes all but some (at least one).
fn initial(rng: &mut ChaCha8Rng, backends: usize) -> Vec<usize> {
    if backends < 2 || rng.random_bool(0.6) {
        return (0..backends).collect();
    }
    let keep = rng.random_range(1..backends);
    let mut chosen: Vec<usize> = (0..backends).collect();
    chosen.shuffle(rng);
    chosen.truncate(keep);
    chosen.sort_unstable();
    chosen
}

/// One backend mostly, sometimes two, now and then all.
fn target(rng: &mut ChaCha8Rng, backends: usize) -> Vec<usize> {
    let roll = rng.random_range(0..10);
    let count = match roll {
        0 => backends,
        1 | 2 => 2.min(backends),
        _ => 1,
    };
    let mut chosen: Vec<usize> = (0..backends).collect();
    chosen.shuffle(rng);
    chosen.truncate(count);
    chosen.sort_unstable();
    chosen
}

/// A fault of `kind` holding at most `room`.
fn fault(rng: &mut ChaCha8Rng, kind: &str, room: Duration, deadline: Duration) -> FaultSpec {
    let room_ms = u64::try_from(room.as_millis()).unwrap_or(u64::MAX).max(50);
    let mut length = || Duration::from_millis(rng.random_range(50..=room_ms));
    let lasting = length();
    match kind {
        "restart" => FaultSpec::Restart { down_for: lasting },
        "flap" => {
            let period = Duration::from_millis(rng.random_range(200..=800));
            let down_ms =
                rng.random_range(20..=u64::try_from(period.as_millis() / 2).unwrap_or(20));
            FaultSpec::Flap {
                period,
                down_for: Duration::from_millis(down_ms),
                lasting: lasting.max(period),
            }
        }
        "drain" => FaultSpec::Drain,
        "terminate" => FaultSpec::Terminate {
            grace: Duration::from_millis(
                rng.random_range(0..=u64::try_from(deadline.as_millis() * 2).unwrap_or(u64::MAX)),
            ),
            lasting,
        },
        "stream-break" => {
            FaultSpec::StreamBreak { after_messages: rng.random_range(0..=4), lasting }
        }
        "delay" => {
            let most = u64::try_from(deadline.as_millis() * 2).unwrap_or(u64::MAX).max(2);
            FaultSpec::Delay { delay: Duration::from_millis(rng.random_range(1..=most)), lasting }
        }
        "connect-delay" => FaultSpec::ConnectDelay {
            delay: Duration::from_millis(rng.random_range(1..=500)),
            lasting,
        },
        "connection-age" => {
            FaultSpec::ConnectionAge { max_rpcs: rng.random_range(1..=100), lasting }
        }
        "status" => FaultSpec::Status {
            code: CODES.choose(rng).copied().unwrap_or("Unavailable"),
            percent: rng.random_range(1..=20) * 5,
            lasting,
        },
        // refuse, reset, blackhole, hang; Space::validate keeps out any other name.
        name => FaultSpec::Standing { name: standing(name), lasting },
    }
}

/// The `'static` name of a standing kind.
fn standing(name: &str) -> &'static str {
    CLOGS.into_iter().find(|clog| *clog == name).unwrap_or("refuse")
}

/// FoundationDB's swizzle: a random subset of backends clogged one by one from `start`, a
/// step apart, then unclogged in a random order, a step apart; all within `room`. Pushes one
/// fault per backend (at most `most`) and returns how many.
fn swizzle(
    rng: &mut ChaCha8Rng,
    most: usize,
    backends: usize,
    start: Duration,
    room: Duration,
    events: &mut Vec<Event>,
) -> usize {
    let count = rng.random_range(1..=most.max(1));
    let mut order: Vec<usize> = (0..backends).collect();
    order.shuffle(rng);
    order.truncate(count);
    let mut back: Vec<usize> = (0..count).collect();
    back.shuffle(rng);
    let clog = *CLOGS.choose(rng).unwrap_or(&"refuse");
    // 2 × count steps: clog each, then free each.
    // count ≤ MAX_BACKENDS (16): every step number fits a u32.
    let steps = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let step = (room / (2 * steps(count) + 1)).max(Duration::from_millis(10));
    for (i, &backend) in order.iter().enumerate() {
        let clogged = start + step * steps(i);
        let freed = start + step * steps(count + 1 + back[i]);
        events.push(Event::Fault {
            at: clogged,
            target: vec![backend],
            fault: FaultSpec::Standing { name: clog, lasting: freed - clogged },
        });
    }
    count
}
