package dev.csmserver.pipeline;

import java.io.IOException;

/**
 * The hub answered, and the answer rules the download out (a refused token, a missing repo or file,
 * a checksum that does not match, a repo without the files a layout needs). Any other {@link
 * IOException} is the network's fault: worth a resumed retry, or the cached snapshot.
 */
final class HubException extends IOException {
    private static final long serialVersionUID = 1L;

    HubException(String message) {
        super(message);
    }
}
