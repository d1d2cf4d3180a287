package dev.csmserver.nn;

import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * libtorch's intra-op threads for the CALLING thread. Its OpenMP thread count and MKL's are
 * thread-local ({@code at::set_num_threads} sets {@code omp_set_num_threads} and {@code
 * mkl_set_num_threads_local}), so one thread can run single-threaded kernels while another keeps
 * the default. A decode step wants one: its products are split per core by {@link RowParallel}
 * already, and a GEMM of a few rows that MKL also spreads over the cores pays an OpenMP fork/join
 * per call (a tiny [4, 64] x [64, 64] product: 20 µs instead of 4) and oversubscribes the cores.
 * Mimi and long prompts keep the default: their convolutions use every core well (a streamed Mimi
 * frame: 21 ms with 2 threads, 29 with 1).
 *
 * <p>{@code at::set_num_threads} also stores the count that threads touching libtorch for the first
 * time start with; whoever sets a count other than its thread's usual one puts it back ({@link
 * #single} restores, {@link RowParallel} re-asserts the caller's after its helpers set up).
 */
public final class IntraOpThreads {
    private IntraOpThreads() {}

    /** Sets the calling thread's intra-op threads (OpenMP and MKL) to {@code n}. */
    public static void setForThisThread(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + n);
        }
        JniUtils.setNumThreads(n);
    }

    /** The calling thread's intra-op threads. */
    public static int ofThisThread() {
        return JniUtils.getNumThreads();
    }

    /**
     * Runs {@code task} on the calling thread with one intra-op thread, then restores the setting.
     */
    public static <T> T single(Supplier<T> task) {
        int before = ofThisThread();
        if (before == 1) {
            return task.get();
        }
        setForThisThread(1);
        try {
            return task.get();
        } finally {
            setForThisThread(before);
        }
    }

    /**
     * Runs {@code work} on a new thread named {@code name} that ends when it returns, waits for it
     * and returns its result (its exception is rethrown here). For loading and warming a model
     * before another thread (the inference worker) takes it over: every thread that runs an OpenMP
     * region keeps a team of libgomp threads until it ends, and once the teams together outnumber
     * the cores, libgomp stops spinning between regions, so each region pays a futex wake-up (a
     * demo Mimi step for 4 streams: 14-17 ms instead of 5 on a 2-core machine). A loader that ends
     * takes its team with it; the worker's is then the only one.
     */
    public static <T> T onThreadThatEnds(String name, Supplier<T> work) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t =
                new Thread(
                        () -> {
                            try {
                                result.set(work.get());
                            } catch (Throwable e) {
                                failure.set(e);
                            }
                        },
                        name);
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted =
                        true; // the work cannot be abandoned half done: wait, then re-interrupt
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwables.rethrow(failure.get());
        return result.get();
    }
}
