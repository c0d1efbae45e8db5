package io.lakebase.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntConsumer;

/** Runs work on several threads released at the same moment. */
public final class Together {
    private Together() {}

    /** Runs body(i) for i in 0..count-1, each on its own thread (inline for one), and waits for all. */
    public static void run(int count, IntConsumer body) {
        if (count == 1) {
            body.accept(0);
            return;
        }
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                body.accept(n);
            });
            t.start();
            threads.add(t);
        }
        start.countDown();
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
