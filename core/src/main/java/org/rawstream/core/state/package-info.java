/**
 * Versioned serializers for everything RawStream keeps in Flink checkpoints and savepoints.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li><b>Formats.</b> Every serialized layout has a <em>format</em> number. For
 *       {@link org.apache.flink.api.common.typeutils.TypeSerializer}s (keyed state, operator state,
 *       records) formats start at 0, and format 0 is the layout written by RawStream before this
 *       framework existed (its snapshots were Flink's {@code SimpleTypeSerializerSnapshot}). For
 *       {@link org.apache.flink.core.io.SimpleVersionedSerializer}s (source splits, enumerator state,
 *       sink committables and writer state) the format is Flink's version integer, which Flink
 *       already stores in front of every value; today's are 1.
 *   <li><b>Where the format is recorded.</b> A {@code TypeSerializer}'s format is recorded once per
 *       state, in its serializer snapshot ({@link VersionedSerializerSnapshot}), not in each value:
 *       state written before this framework has no version byte, so only the snapshot can tell its
 *       format anyway; Flink keeps exactly one snapshot beside each state, all values of that state
 *       were written with that serializer, and a migration rewrites all of them; and no byte is
 *       added to every record on the hot path. Savepoints are always aligned, so they never hold
 *       records in flight; retained <em>unaligned</em> checkpoints do, and Flink reads those with the
 *       current serializer without asking the snapshot: resume across a record format change from
 *       a savepoint (docs/state-compatibility.md says so to users).
 *   <li><b>Compatibility.</b> Restoring a state written in format {@code f} by a serializer whose
 *       current format is {@code c} and which reads formats {@code [oldest, c]}: {@code f == c} is
 *       compatible as is; {@code oldest <= f < c} is compatible after migration (the restore
 *       serializer reads format {@code f}, Flink rewrites the state in format {@code c}); anything
 *       else (a newer format, one no longer read, another snapshot class) is incompatible: one
 *       ERROR line names the state and both formats, and the same text is the restore serializer's
 *       {@code toString()}, which Flink puts into the exception that fails the restore.
 *   <li><b>Changing a layout.</b> Bump {@code currentFormat()}, keep reading the old format in
 *       {@code deserialize(format, in)} (or raise {@code oldestReadableFormat()} deliberately, which
 *       makes older savepoints incompatible), and add a golden savepoint of the old format to the
 *       migration test. Never change a layout without bumping the format.
 *   <li><b>Names are part of the format.</b> Flink records snapshot class names in savepoints:
 *       never rename or move a snapshot class; key every serializer's snapshot to one class.
 * </ul>
 *
 * <p>How to apply: a stateless serializer extends {@link VersionedSerializer} and returns a
 * subclass of {@link VersionedSerializerSnapshot} (public, no-arg constructor passing the
 * serializer's singleton); a {@code SimpleVersionedSerializer} extends {@link VersionedBytesSerializer}.
 */
package org.rawstream.core.state;
