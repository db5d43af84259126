package io.fulfillmenthub.testsupport;

import java.util.function.Predicate;

/** For tests that wait in vain: what the chosen threads of this JVM are doing, for whoever reads the report. */
public final class Threads {
    private Threads() {
    }

    /** Each chosen thread that has a stack: name, state and up to {@code maxFrames} frames. */
    public static String dump(Predicate<Thread> which, int maxFrames) {
        StringBuilder b = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (stack.length > 0 && which.test(t)) {
                b.append("\nthread ").append(t.getName()).append(' ').append(t.getState());
                for (int i = 0; i < Math.min(stack.length, maxFrames); i++) {
                    b.append("\n\tat ").append(stack[i]);
                }
            }
        });
        return b.toString();
    }
}
