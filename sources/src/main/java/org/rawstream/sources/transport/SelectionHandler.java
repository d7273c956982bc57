package org.rawstream.sources.transport;

import java.nio.channels.SelectionKey;

/** The attachment of every key this package registers: what to do when the key is selected. */
interface SelectionHandler {
    /** @return how much work was done (datagrams, accepts, reads), for the poller's idle logic */
    int onSelected(SelectionKey key);
}
