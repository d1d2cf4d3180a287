package dev.csmserver.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * A small fork/join for the products of one inference step. libtorch runs a matrix-vector product
 * (the whole of a decode step) on ONE core: the row blocks of a weight, multiplied on all cores at
 * once, read memory about 1.5x faster on a 2-core machine. The calling thread takes part (it runs
 * blocks too), so the pool can never deadlock and a second caller only shares the helpers.
 *
 * <p>Helpers are daemon threads created once per process; between tasks they spin briefly (a decode
 * step issues a product every few hundred µs, and waking a parked thread costs more) and then park.
 * They run libtorch with one intra-op thread each ({@link IntraOpThreads}). Each task runs in its
 * own {@link NDScope}; its result is handed to the caller's scope.
 */
public final class RowParallel implements AutoCloseable {
    /** Spin this long for the next task before parking. */
    private static final long SPIN_NANOS = 300_000;

    private static final Map<NDManager, RowParallel> ATTACHED =
            Collections.synchronizedMap(new WeakHashMap<>());

    private final int parallelism;
    private final LinkedBlockingQueue<Batch> tickets = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    /**
     * A pool of {@code parallelism} threads, the caller included (tests; the pipeline uses {@link
     * #create} and {@link #attach}).
     */
    RowParallel(int parallelism) {
        this.parallelism = parallelism;
        for (int i = 1; i < parallelism; i++) {
            Thread t = new Thread(this::helperLoop, "csm-rows-" + i);
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * A pool of {@code threads} threads, the caller included ({@code 0}: the available processors;
     * the pipeline passes {@code csm.cpu.threads}).
     */
    public static RowParallel create(int threads) {
        return new RowParallel(
                threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * Gives the weights loaded into {@code weights} (and its sub-managers) {@code pool}; the
     * pipeline attaches the pool it made from its options, so two pipelines never share a setting.
     */
    public static void attach(NDManager weights, RowParallel pool) {
        ATTACHED.put(weights, pool);
    }

    /**
     * The pool of {@code manager}: its own or an ancestor's ({@link #attach}), else the default
     * pool of the available processors (weights a test or bench loads without a pipeline).
     */
    public static RowParallel of(NDManager manager) {
        for (NDManager m = manager; m != null; m = m.getParentManager()) {
            RowParallel p = ATTACHED.get(m);
            if (p != null) {
                return p;
            }
        }
        return Default.POOL;
    }

    /** Created on first use only: a process that always attaches its pools never starts it. */
    private static final class Default {
        static final RowParallel POOL = create(0);
    }

    /** Threads that run blocks at once, the caller included. */
    public int parallelism() {
        return parallelism;
    }

    /**
     * Runs {@code task(0..n-1)} on the caller and the helpers and returns the results in order,
     * registered in the caller's current {@link NDScope}. If a task fails, the other results are
     * closed and the first failure is rethrown.
     */
    public NDArray[] map(int n, IntFunction<NDArray> task) {
        NDArray[] out = new NDArray[n];
        if (n == 1 || parallelism == 1) {
            for (int i = 0; i < n; i++) {
                out[i] = task.apply(i);
            }
            return out;
        }
        Batch batch = new Batch(n, task, out);
        for (int i = 1; i < Math.min(n, parallelism); i++) {
            tickets.offer(batch);
        }
        batch.work();
        batch.await();
        if (batch.helperConfigured) {
            // a helper's one-thread setting also set libtorch's process-wide count, which threads
            // that first touch libtorch later would inherit: put back the caller's
            IntraOpThreads.setForThisThread(IntraOpThreads.ofThisThread());
        }
        Throwable failure = batch.failure.get();
        for (NDArray a : out) {
            if (a != null) {
                if (failure == null) {
                    NDScope.register(a);
                } else {
                    a.close();
                }
            }
        }
        Throwables.rethrow(failure);
        return out;
    }

    /** Lets the helpers end (within a second); the default pool lives as long as the process. */
    @Override
    public void close() {
        if (this != Default.POOL) {
            closed = true;
        }
    }

    private void helperLoop() {
        boolean singleThreaded = false;
        while (!closed) {
            Batch b = nextTicket();
            if (b != null) {
                if (!singleThreaded) {
                    // Every thread of the pool runs a block at once: one libtorch thread each.
                    // Set lazily: libtorch is surely loaded once a task arrives.
                    IntraOpThreads.setForThisThread(1);
                    singleThreaded = true;
                    b.helperConfigured = true;
                }
                b.work();
            }
        }
    }

    private Batch nextTicket() {
        long until = System.nanoTime() + SPIN_NANOS;
        while (System.nanoTime() < until) {
            Batch b = tickets.poll();
            if (b != null) {
                return b;
            }
            Thread.onSpinWait();
        }
        try {
            return tickets.poll(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            return null; // daemon helpers are never interrupted on purpose; just go on
        }
    }

    /** One {@link #map} call: tasks are claimed by index, by whichever thread comes first. */
    private static final class Batch {
        private final int n;
        private final IntFunction<NDArray> task;
        private final NDArray[] out;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread caller = Thread.currentThread();

        /** A helper set its libtorch threads during this batch (see {@link #map}). */
        private volatile boolean helperConfigured;

        Batch(int n, IntFunction<NDArray> task, NDArray[] out) {
            this.n = n;
            this.task = task;
            this.out = out;
        }

        void work() {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                try (NDScope scope = new NDScope()) {
                    if (failure.get() == null) {
                        NDArray r = task.apply(i);
                        NDScope.unregister(r);
                        out[i] = r;
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
                if (done.incrementAndGet() == n) {
                    LockSupport.unpark(caller);
                }
            }
        }

        void await() {
            long until = System.nanoTime() + SPIN_NANOS;
            while (done.get() < n) {
                if (System.nanoTime() < until) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 100_000);
                }
            }
        }
    }
}
