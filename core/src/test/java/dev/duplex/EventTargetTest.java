package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EventTargetTest {

    /** Exposes one event handler attribute, as WebSocket does with onmessage. */
    static final class Target extends EventTarget {
        void onfoo(EventListener handler) {
            setEventHandler("foo", handler);
        }

        EventListener onfoo() {
            return getEventHandler("foo");
        }
    }

    private final Target target = new Target();
    private final List<String> calls = new ArrayList<>();

    private EventListener record(String name) {
        return e -> calls.add(name);
    }

    private List<String> fire() {
        calls.clear();
        target.dispatchEvent(new Event("foo"));
        return new ArrayList<>(calls);
    }

    @Test
    void listenersRunInRegistrationOrder() {
        target.addEventListener("foo", record("a"));
        target.addEventListener("foo", record("b"));
        target.addEventListener("bar", record("other type"));
        target.addEventListener("foo", record("c"));

        assertThat(fire()).containsExactly("a", "b", "c");
    }

    @Test
    void typesAreCaseSensitive() {
        target.addEventListener("Foo", record("capital"));
        assertThat(fire()).isEmpty();
    }

    @Test
    void sameListenerAddedTwiceForOneTypeIsCalledOnce() {
        EventListener a = record("a");
        target.addEventListener("foo", a);
        target.addEventListener("foo", record("b"));
        target.addEventListener("foo", a);

        assertThat(fire()).containsExactly("a", "b");
    }

    @Test
    void sameListenerForTwoTypesIsCalledForEach() {
        EventListener a = record("a");
        target.addEventListener("foo", a);
        target.addEventListener("bar", a);

        target.dispatchEvent(new Event("foo"));
        target.dispatchEvent(new Event("bar"));
        assertThat(calls).containsExactly("a", "a");
    }

    @Test
    void nullListenerIsIgnored() {
        target.addEventListener("foo", null);
        target.removeEventListener("foo", null);
        assertThat(fire()).isEmpty();
    }

    @Test
    void nullTypeIsRejected() {
        assertThatThrownBy(() -> target.addEventListener(null, record("a"))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> target.dispatchEvent(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void removedListenerIsNotCalledAndCanBeAddedAgainAtTheEnd() {
        EventListener a = record("a");
        target.addEventListener("foo", a);
        target.addEventListener("foo", record("b"));
        target.removeEventListener("foo", a);
        target.removeEventListener("foo", a); // no-op
        target.removeEventListener("bar", record("never added")); // no-op

        assertThat(fire()).containsExactly("b");
        target.addEventListener("foo", a);
        assertThat(fire()).containsExactly("b", "a");
    }

    @Test
    void removingForAnotherTypeLeavesTheListener() {
        EventListener a = record("a");
        target.addEventListener("foo", a);
        target.removeEventListener("bar", a);
        assertThat(fire()).containsExactly("a");
    }

    @Test
    void dispatchSetsTargetAndReturnsTrue() {
        AtomicReference<EventTarget> seen = new AtomicReference<>();
        target.addEventListener("foo", e -> seen.set(e.target()));
        Event event = new Event("foo");
        assertThat(event.target()).isNull();

        assertThat(target.dispatchEvent(event)).isTrue();
        assertThat(seen.get()).isSameAs(target);
        assertThat(event.target()).isSameAs(target);
    }

    @Test
    void handlerTakesItsPlaceWhenFirstSet() {
        target.addEventListener("foo", record("a"));
        target.onfoo(record("handler"));
        target.addEventListener("foo", record("b"));

        assertThat(fire()).containsExactly("a", "handler", "b");
    }

    @Test
    void replacingTheHandlerKeepsItsPlace() {
        target.addEventListener("foo", record("a"));
        target.onfoo(record("h1"));
        target.addEventListener("foo", record("b"));
        EventListener h2 = record("h2");
        target.onfoo(h2);

        assertThat(fire()).containsExactly("a", "h2", "b");
        assertThat(target.onfoo()).isSameAs(h2);
    }

    @Test
    void clearingTheHandlerThenSettingItAgainPutsItLast() {
        target.onfoo(record("h1"));
        target.addEventListener("foo", record("a"));
        target.onfoo(null);
        assertThat(target.onfoo()).isNull();
        assertThat(fire()).containsExactly("a");

        target.addEventListener("foo", record("b"));
        target.onfoo(record("h2"));
        assertThat(fire()).containsExactly("a", "b", "h2");
    }

    @Test
    void handlerGetterIsNullByDefaultAndClearingNothingIsHarmless() {
        assertThat(target.onfoo()).isNull();
        target.onfoo(null);
        assertThat(target.onfoo()).isNull();
        assertThat(fire()).isEmpty();
    }

    @Test
    void handlerIsSeparateFromListeners() {
        EventListener h = record("x");
        target.onfoo(h);
        target.addEventListener("foo", h); // a listener, distinct from the handler attribute
        assertThat(fire()).containsExactly("x", "x");

        target.removeEventListener("foo", h); // removes the listener, not the handler
        assertThat(fire()).containsExactly("x");
        assertThat(target.onfoo()).isSameAs(h);
    }

    @Test
    void listenerRemovedDuringDispatchBeforeItsTurnIsNotCalled() {
        EventListener b = record("b");
        target.addEventListener("foo", e -> {
            calls.add("a");
            target.removeEventListener("foo", b);
        });
        target.addEventListener("foo", b);
        target.addEventListener("foo", record("c"));

        assertThat(fire()).containsExactly("a", "c");
        assertThat(fire()).containsExactly("a", "c");
    }

    @Test
    void listenerRemovedAfterItsTurnWasCalled() {
        EventListener a = record("a");
        target.addEventListener("foo", a);
        target.addEventListener("foo", e -> {
            calls.add("b");
            target.removeEventListener("foo", a);
        });
        assertThat(fire()).containsExactly("a", "b");
        assertThat(fire()).containsExactly("b");
    }

    @Test
    void listenerAddedDuringDispatchWaitsForTheNextEvent() {
        EventListener late = record("late");
        target.addEventListener("foo", e -> {
            calls.add("a");
            target.addEventListener("foo", late);
        });
        assertThat(fire()).containsExactly("a");
        assertThat(fire()).containsExactly("a", "late");
    }

    @Test
    void handlerClearedDuringDispatchBeforeItsTurnIsNotCalled() {
        target.addEventListener("foo", e -> {
            calls.add("a");
            target.onfoo(null);
        });
        target.onfoo(record("handler"));
        assertThat(fire()).containsExactly("a");
    }

    @Test
    void handlerReplacedDuringDispatchBeforeItsTurnRunsTheNewCallback() {
        target.addEventListener("foo", e -> {
            calls.add("a");
            target.onfoo(record("new"));
        });
        target.onfoo(record("old"));
        assertThat(fire()).containsExactly("a", "new");
    }

    @Test
    void exceptionInListenerIsReportedAndOthersStillRun() throws Exception {
        RuntimeException boom = new IllegalStateException("boom");
        AssertionError failure = new AssertionError("assertion in listener");
        target.addEventListener("foo", record("a"));
        target.addEventListener("foo", e -> {
            throw boom;
        });
        target.onfoo(e -> {
            throw failure;
        });
        target.addEventListener("foo", record("c"));

        List<Throwable> reported = new CopyOnWriteArrayList<>();
        List<Thread> reportedOn = new CopyOnWriteArrayList<>();
        AtomicReference<Object> result = new AtomicReference<>();
        Thread thread = new Thread(() -> result.set(target.dispatchEvent(new Event("foo"))), "dispatcher");
        thread.setUncaughtExceptionHandler((t, e) -> {
            reportedOn.add(t);
            reported.add(e);
        });
        thread.start();
        thread.join(10_000);

        assertThat(result.get()).isEqualTo(true);
        assertThat(calls).containsExactly("a", "c");
        assertThat(reported).containsExactly(boom, failure);
        assertThat(reportedOn).containsOnly(thread);
    }

    @Test
    void exceptionFallsBackToTheDefaultHandler() throws Exception {
        target.addEventListener("foo", e -> {
            throw new IllegalArgumentException("to default handler");
        });
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> reported.add(e));
        try {
            Thread thread = new Thread(() -> target.dispatchEvent(new Event("foo")));
            thread.start();
            thread.join(10_000);
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
        assertThat(reported).singleElement().satisfies(e -> assertThat(e).hasMessage("to default handler"));
    }

    @Test
    void virtualMachineErrorsPropagate() {
        target.addEventListener("foo", e -> {
            throw new OutOfMemoryError("simulated");
        });
        Event event = new Event("foo");
        assertThatThrownBy(() -> target.dispatchEvent(event)).isInstanceOf(OutOfMemoryError.class);
        // the event is not left marked as being dispatched
        assertThat(new EventTarget().dispatchEvent(event)).isTrue();
    }

    @Test
    void redispatchingAnEventDuringItsDispatchIsAnInvalidStateError() {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        target.addEventListener("foo", e -> {
            try {
                target.dispatchEvent(e);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        Event event = new Event("foo");
        target.dispatchEvent(event);

        assertThat(thrown.get()).isInstanceOf(DOMException.class);
        assertThat(((DOMException) thrown.get()).name()).isEqualTo("InvalidStateError");
        assertThat(((DOMException) thrown.get()).code()).isEqualTo(DOMException.INVALID_STATE_ERR);

        // once finished, the same event may be dispatched again
        AtomicInteger count = new AtomicInteger();
        EventTarget other = new EventTarget();
        other.addEventListener("foo", e -> count.incrementAndGet());
        other.dispatchEvent(event);
        assertThat(count).hasValue(1);
        assertThat(event.target()).isSameAs(other);
    }

    @Test
    void nestedDispatchOfAnotherEventWorks() {
        target.addEventListener("foo", e -> {
            calls.add("foo");
            target.dispatchEvent(new Event("bar"));
        });
        target.addEventListener("bar", record("bar"));
        assertThat(fire()).containsExactly("foo", "bar");
    }

    @Test
    void listenersComparedWithEquals() {
        final class Named implements EventListener {
            final String name;

            Named(String name) {
                this.name = name;
            }

            @Override
            public void handleEvent(Event event) {
                calls.add(name);
            }

            @Override
            public boolean equals(Object o) {
                return o instanceof Named && ((Named) o).name.equals(name);
            }

            @Override
            public int hashCode() {
                return name.hashCode();
            }
        }
        target.addEventListener("foo", new Named("x"));
        target.addEventListener("foo", new Named("x"));
        assertThat(fire()).containsExactly("x");
        target.removeEventListener("foo", new Named("x"));
        assertThat(fire()).isEmpty();
    }

    @Test
    void concurrentRegistrationLosesNothingAndAddsNothingTwice() throws Exception {
        int threads = 8;
        int perThread = 300;
        AtomicInteger calledShared = new AtomicInteger();
        EventListener shared = e -> calledShared.incrementAndGet();
        AtomicInteger called = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    target.addEventListener("foo", e -> called.incrementAndGet());
                    target.addEventListener("foo", shared);
                    EventListener gone = e -> called.addAndGet(1_000_000);
                    target.addEventListener("foo", gone);
                    target.removeEventListener("foo", gone);
                    target.onfoo(e -> calls.add("h"));
                    target.dispatchEvent(new Event("other"));
                }
            });
            workers.add(worker);
            worker.start();
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join(30_000);
        }

        calls.clear();
        target.dispatchEvent(new Event("foo"));
        assertThat(called).hasValue(threads * perThread);
        assertThat(calledShared).hasValue(1);
        assertThat(calls).containsExactly("h");
    }

    @Test
    void concurrentHandlerSetAndClearLeavesAtMostOneHandler() throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int id = t;
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 2000; i++) {
                    target.onfoo((i + id) % 3 == 0 ? null : e -> calls.add("h"));
                }
            });
            workers.add(worker);
            worker.start();
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join(30_000);
        }
        target.onfoo(e -> calls.add("final"));
        assertThat(fire()).containsExactly("final");
        target.onfoo(null);
        assertThat(fire()).isEmpty();
    }
}
