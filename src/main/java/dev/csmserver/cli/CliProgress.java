package dev.csmserver.cli;

import dev.csmserver.pipeline.LoadProgress;
import dev.csmserver.pipeline.ProgressLog;
import java.io.PrintStream;

/**
 * Prints the load's phases for a user at a terminal: every new phase ({@code loading weights},
 * {@code loading codec}, {@code encoding voice ...}) at once, and a phase's progress ({@code
 * loading weights 12/21}, {@code downloading 43%}) at most every {@link ProgressLog#INTERVAL}.
 */
final class CliProgress implements LoadProgress {
    private final PrintStream out;
    private String lastKind = "";
    private long lastPrintNanos;

    CliProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void phase(String phase) {
        String kind = kind(phase);
        long now = System.nanoTime();
        if (!kind.equals(lastKind) || now - lastPrintNanos >= ProgressLog.INTERVAL.toNanos()) {
            out.println(phase);
            lastKind = kind;
            lastPrintNanos = now;
        }
    }

    /** The phase without its numbers: "loading weights 12/21" → "loading weights". */
    static String kind(String phase) {
        int i = 0;
        while (i < phase.length() && !Character.isDigit(phase.charAt(i))) {
            i++;
        }
        return phase.substring(0, i).strip();
    }
}
