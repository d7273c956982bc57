package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the status table a local run prints ("RawStream HH:mm:ss ..." then a row per source). */
final class StatusTable {
    private StatusTable() {}

    /** Every table: a header, then exactly these sources, each line at most 80 columns. */
    static void assertShape(String log, List<String> sources) {
        List<String> lines = log.lines().toList();
        int tables = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("RawStream ") || !lines.get(i).contains("append queue")) {
                continue;
            }
            tables++;
            assertThat(lines.get(i + 1)).startsWith("source").contains("rec/s", "MB/s", "invalid", "dropped", "shed",
                    "incompl", "missing", "files", "messages");
            for (int s = 0; s < sources.size(); s++) {
                assertThat(lines.get(i + 2 + s).split("\\s+")[0]).isEqualTo(sources.get(s));
            }
            for (int l = i; l < i + 2 + sources.size(); l++) {
                assertThat(lines.get(l).length()).as("fits 80 columns: %s", lines.get(l)).isLessThanOrEqualTo(80);
            }
        }
        assertThat(tables).as("status tables in:%n%s", log).isGreaterThanOrEqualTo(2);
    }

    /** The last table ("at stop"): per source, its columns by name. */
    static Map<String, Map<String, String>> last(String log) {
        List<String> lines = log.lines().toList();
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("RawStream ") && lines.get(i).contains("at stop")) {
                header = i + 1;
            }
        }
        assertThat(header).as("a table at stop in:%n%s", log).isPositive();
        String[] columns = lines.get(header).trim().split("\\s+");
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        for (int i = header + 1; i < lines.size() && !lines.get(i).isBlank(); i++) {
            String[] cells = lines.get(i).trim().split("\\s+");
            if (cells.length != columns.length) {
                break;
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < columns.length; c++) {
                row.put(columns[c], cells[c]);
            }
            rows.put(cells[0], row);
        }
        assertThat(rows).as("rows of %s", Arrays.toString(columns)).isNotEmpty();
        return rows;
    }
}
