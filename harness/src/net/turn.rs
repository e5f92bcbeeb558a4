//! [`Arrivals`]: what reaches the client's end of an in-memory connection (data, the end of
//! the stream, a reset), delivered as tokio's I/O driver delivers it from a TCP socket: after
//! the driver's next turn, not at once.
//!
//! A TCP client learns of bytes (or a reset) in its socket only when tokio's I/O driver polls
//! the kernel, which it does once the tasks already woken have run (and after every 61 of
//! them). Until then a read finds the socket "not readable" (tokio's cached readiness) even
//! though the kernel holds the bytes. An in-memory duplex instead wakes the reader the moment
//! the peer writes, so the reader runs before tasks woken earlier. That ordering decides what
//! a call handed to a connection at the instant of a crash or a GOAWAY ends with: over TCP
//! the call is dispatched before the connection task sees the GOAWAY (the call is served),
//! and a call made after `crash().await` returns meets a connection whose task already read
//! the reset (hyper drops it unsent: `Cancelled`). [`Arrivals`] gives the in-memory client the
//! TCP order: tokio defers a waker handed to `yield_now` until after the driver's turn, and
//! the arrival is marked only when that deferred waker fires.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::task::{Context, Wake, Waker};

/// The read readiness of one client end, as the I/O driver would report it.
#[derive(Debug)]
pub(crate) struct Arrivals {
    state: Arc<State>,
    /// Handed to the inner stream in place of the task's waker: data came.
    notice: Waker,
}

#[derive(Debug, Default)]
struct State {
    /// Readable as tokio's cached readiness: cleared when a read finds nothing, set after
    /// the driver's turn that follows new data.
    readable: AtomicBool,
    /// A readable arrival is deferred and not yet marked.
    arriving: AtomicBool,
    /// The task that reads this end, to wake when something arrives.
    task: Mutex<Option<Waker>>,
}

impl State {
    fn wake_task(&self) {
        let task = self.task.lock().unwrap_or_else(PoisonError::into_inner).clone();
        if let Some(task) = task {
            task.wake();
        }
    }
}

/// The inner stream has news: mark it readable after the driver's turn.
struct Notice {
    state: Arc<State>,
    /// The [`Readable`] waker of the same end, built once: an arrival allocates nothing.
    readable: Waker,
}

impl Wake for Notice {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.state.arriving.swap(true, Ordering::AcqRel) {
            after_driver_turn(&self.readable);
        }
    }
}

/// The driver's turn came: the news is readable.
struct Readable(Arc<State>);

impl Wake for Readable {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.arriving.store(false, Ordering::Release);
        self.0.readable.store(true, Ordering::Release);
        self.0.wake_task();
    }
}

thread_local! {
    /// The arrivals waiting for this thread's next driver turn, in the order they came (as
    /// epoll hands out ready sockets), and the flush deferred to wake them (gone when it woke,
    /// or when its runtime was dropped before its turn).
    static WAITING: std::cell::RefCell<(Vec<Waker>, Weak<Flush>)> =
        const { std::cell::RefCell::new((Vec::new(), Weak::new())) };
}

/// Wakes the waiting arrivals, oldest first.
struct Flush;

impl Wake for Flush {
    fn wake(self: Arc<Self>) {
        let waiting = WAITING.with(|waiting| {
            let mut waiting = waiting.borrow_mut();
            waiting.1 = Weak::new();
            std::mem::take(&mut waiting.0)
        });
        for arrival in waiting {
            arrival.wake();
        }
    }
}

/// Wakes `waker` after the runtime's next driver turn (tokio's deferred wake, as
/// `yield_now` uses it; at once outside a runtime), after the arrivals deferred before it.
fn after_driver_turn(waker: &Waker) {
    let flush = WAITING.with(|waiting| {
        let mut waiting = waiting.borrow_mut();
        waiting.0.push(waker.clone());
        if waiting.1.upgrade().is_some() {
            return None;
        }
        let flush = Arc::new(Flush);
        waiting.1 = Arc::downgrade(&flush);
        Some(flush)
    });
    if let Some(flush) = flush {
        let mut turn = std::pin::pin!(tokio::task::yield_now());
        // The first poll hands the waker to the scheduler and is always pending.
        let _ = turn.as_mut().poll(&mut Context::from_waker(&Waker::from(flush)));
    }
}

impl Arrivals {
    /// A fresh end: readable (whatever is there is read on the first try).
    pub(crate) fn new() -> Self {
        let state = Arc::new(State { readable: AtomicBool::new(true), ..State::default() });
        let readable = Waker::from(Arc::new(Readable(Arc::clone(&state))));
        Self {
            notice: Waker::from(Arc::new(Notice { state: Arc::clone(&state), readable })),
            state,
        }
    }

    /// Remembers the task that reads, to wake it when something arrives.
    pub(crate) fn register(&self, cx: &Context<'_>) {
        let mut task = self.state.task.lock().unwrap_or_else(PoisonError::into_inner);
        if !task.as_ref().is_some_and(|task| task.will_wake(cx.waker())) {
            *task = Some(cx.waker().clone());
        }
    }

    /// Whether a read may look at the inner stream now. If so, the read must use
    /// [`Arrivals::notice`] and report back with [`Arrivals::read_found`].
    pub(crate) fn readable(&self) -> bool {
        // Cleared before the read, so that news arriving during it is not lost.
        self.state.readable.swap(false, Ordering::AcqRel)
    }

    /// The waker to hand the inner stream.
    pub(crate) fn notice(&self) -> &Waker {
        &self.notice
    }

    /// The read found something (data, its end or an error): still readable.
    pub(crate) fn read_found(&self) {
        self.state.readable.store(true, Ordering::Release);
    }
}
