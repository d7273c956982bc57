package org.rawstream.sinks.rawhdf5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every version rule of the spec, as unit rules and end to end on real files. */
class RawFileVersionTest {

    @TempDir
    Path dir;

    @Test
    void partsCompareAsNumbers() {
        assertThat(RawFileVersion.parse("0.10")).isEqualTo(new RawFileVersion(0, 10));
        assertThat(RawFileVersion.parse("0.10").canBeReadAs(RawFileVersion.parse("0.9"))).isTrue();
        assertThat(RawFileVersion.parse("0.9").canBeReadAs(RawFileVersion.parse("0.10"))).isFalse();
        assertThat(RawFileVersion.parse("12.007")).isEqualTo(new RawFileVersion(12, 7));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "1.", ".1", "1.2.3", "a.b", "-1.0", "1.-2", "+1.2", " 1.2", "1.2 "})
    void malformedVersionsAreRejected(String text) {
        assertThatThrownBy(() -> RawFileVersion.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text);
    }

    // file version, requested version (empty = none), expected
    @ParameterizedTest(name = "append: file {0}, requested {1} -> {2}")
    @CsvSource({"0.0,,ok", "0.0,0.0,ok", "0.0,0.1,fail", "0.1,0.0,fail", "1.0,0.0,fail", "0.10,0.10,ok",
                "0.10,0.9,fail", "0.9,0.10,fail", "0.1,0.01,ok"})
    void appendNeedsTheSameFileVersion(String file, String requested, String expected) {
        check(expected, () -> RawFileVersion.checkAppend("f.h5", file, requested, null, null));
    }

    // file io_version (empty = none), requested io_version (empty = none), expected
    @ParameterizedTest(name = "append: file io {0}, requested io {1} -> {2}")
    @CsvSource({"1.2,1.2,ok", "1.2,1.1,ok", "1.2,1.0,ok", "1.2,1.3,fail", "1.2,2.2,fail", "2.0,1.0,fail",
                "0.10,0.9,ok", "0.9,0.10,fail", "1.2,,ok", ",1.2,ok", ",,ok"})
    void appendIoVersionRules(String file, String requested, String expected) {
        check(expected, () -> RawFileVersion.checkAppend("f.h5", "0.0", "0.0", file, requested));
    }

    @ParameterizedTest(name = "read: file {0}, requested {1} -> {2}")
    @CsvSource({"0.0,,ok", "0.0,0.0,ok", "0.1,0.0,ok", "0.0,0.1,fail", "1.0,0.0,fail", "0.0,1.0,fail",
                "0.10,0.9,ok", "0.9,0.10,fail"})
    void readVersionRules(String file, String requested, String expected) {
        check(expected, () -> RawFileVersion.checkRead("f.h5", file, requested, null, null));
    }

    @ParameterizedTest(name = "read: file io {0}, requested io {1} -> {2}")
    @CsvSource({"1.2,1.2,ok", "1.2,1.1,ok", "1.2,1.3,fail", "2.2,1.2,fail", "0.10,0.9,ok", "0.9,0.10,fail",
                "1.2,,ok", ",1.2,ok"})
    void readIoVersionRules(String file, String requested, String expected) {
        check(expected, () -> RawFileVersion.checkRead("f.h5", "0.0", null, file, requested));
    }

    @Test
    void mismatchNamesBothVersions() {
        assertThatThrownBy(() -> RawFileVersion.checkAppend("f.h5", "0.0", "0.1", null, null))
                .isInstanceOf(RawFileVersionException.class)
                .hasMessageContaining("\"0.0\"").hasMessageContaining("\"0.1\"").hasMessageContaining("f.h5");
        assertThatThrownBy(() -> RawFileVersion.checkRead("f.h5", "0.0", null, "0.9", "0.10"))
                .isInstanceOf(RawFileVersionException.class)
                .hasMessageContaining("io_version").hasMessageContaining("\"0.9\"").hasMessageContaining("\"0.10\"");
    }

    @Test
    void appendMismatchOnARealFileWritesNothing() throws Exception {
        Path file = dir.resolve("v.h5");
        MessageBatch batch = new MessageBatch();
        batch.add(new byte[] {1}, 1);
        try (RawFileWriter w = RawFileWriter.create(file, RawFileOptions.builder().ioVersion("0.9").build())) {
            w.append(batch);
        }
        byte[] before = Files.readAllBytes(file);
        assertThatThrownBy(() -> RawFileWriter.openForAppend(file, "0.1", null))
                .isInstanceOf(RawFileVersionException.class).hasMessageContaining("\"0.0\"").hasMessageContaining("\"0.1\"");
        assertThatThrownBy(() -> RawFileWriter.openForAppend(file, null, "0.10"))
                .isInstanceOf(RawFileVersionException.class).hasMessageContaining("\"0.9\"").hasMessageContaining("\"0.10\"");
        assertThatThrownBy(() -> RawFiles.toRawfile(file, batch, "1.0", null)).isInstanceOf(RawFileVersionException.class);
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        try (RawFileWriter w = RawFileWriter.openForAppend(file, "0.0", "0.8")) {
            w.append(batch);
        }
        try (RawFileReader r = RawFileReader.open(file, "0.0", "0.9")) {
            assertThat(r.count()).isEqualTo(2);
        }
        assertThatThrownBy(() -> RawFileReader.open(file, "0.1", null)).isInstanceOf(RawFileVersionException.class);
        assertThatThrownBy(() -> RawFileReader.open(file, null, "1.0")).isInstanceOf(RawFileVersionException.class);
    }

    @Test
    void aFileOfAnotherFormatVersionIsReadableOnlyWithoutThatRequest() throws Exception {
        Path file = dir.resolve("v1.h5");
        RawFileWriter.create(file, RawFileOptions.builder().version("1.0").build()).close();
        try (RawFileReader r = RawFileReader.open(file)) {
            assertThat(r.metadata().version()).isEqualTo("1.0");
        }
        assertThatThrownBy(() -> RawFileReader.open(file, "0.0", null)).isInstanceOf(RawFileVersionException.class)
                .hasMessageContaining("\"1.0\"").hasMessageContaining("\"0.0\"");
        assertThatThrownBy(() -> RawFileWriter.openForAppend(file, "0.0", null)).isInstanceOf(RawFileVersionException.class);
    }

    private static void check(String expected, org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        if (expected.equals("ok")) {
            assertThatCode(call).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(call).isInstanceOf(RawFileVersionException.class);
        }
    }
}
