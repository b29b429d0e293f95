package dev.os2.shell;

import dev.os2.snapshot.SnapshotHeader;
import java.util.Iterator;
import java.util.List;

/**
 * Completion candidates for a snapshot id parameter: the ids of the readable snapshots in the
 * session's default workspace, read when a completer asks (not when the command line is built).
 * Empty when there are none or they cannot be read: completion never fails a command.
 */
final class SnapshotIds implements Iterable<String> {

    private final Session session;

    /** Created by the session factory; reads nothing yet. */
    SnapshotIds(Session session) {
        this.session = session;
    }

    @Override
    public Iterator<String> iterator() {
        try {
            Workspace ws = Workspace.at(session.defaultWorkspace());
            List<SnapshotHeader> headers = SnapshotShowCommand.store(ws).headers();
            return headers.stream().map(h -> h.id().toString()).toList().iterator();
        } catch (RuntimeException unreadable) {
            return List.<String>of().iterator();
        }
    }
}
