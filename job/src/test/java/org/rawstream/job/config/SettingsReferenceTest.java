package org.rawstream.job.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.rawstream.job.source.SourceKind;
import org.rawstream.job.source.SourceKinds;

/**
 * docs/configuration.md carries the reference made from the settings' definitions: this fails
 * when the committed file is out of date (and rewrites it with {@code -Drawstream.writeReference=true}).
 */
class SettingsReferenceTest {
    private static final Path DOC = Path.of("..", "docs", "configuration.md");

    @Test
    void theCommittedReferenceIsTheGeneratedOne() throws Exception {
        String committed = Files.readString(DOC, StandardCharsets.UTF_8);
        String generated = SettingsReference.withReference(committed);
        if (Boolean.getBoolean("rawstream.writeReference")) {
            Files.writeString(DOC, generated, StandardCharsets.UTF_8);
            committed = generated;
        }
        assertThat(committed).as("docs/configuration.md is out of date; regenerate it: " + SettingsReference.BEGIN)
                .isEqualTo(generated);
    }

    @Test
    void everySettingOfEveryTypeIsListedWithItsDefaultAndDescription() {
        String listing = String.join("\n", SettingsReference.sourceTypes());
        String markdown = SettingsReference.markdown();
        for (SourceKind kind : SourceKinds.all().values()) {
            assertThat(listing).contains(kind.type() + ": ");
            for (Setting<?> s : kind.settings()) {
                assertThat(s.description()).as(kind.type() + " " + s.key()).isNotBlank();
                assertThat(listing).contains("  " + s.key() + " ");
                assertThat(markdown).as(kind.type() + " " + s.key()).contains("`" + s.key() + "`");
            }
        }
        for (Setting<?> s : JobSettings.job()) {
            assertThat(markdown).contains("| `" + s.key() + "` | ");
        }
    }
}
