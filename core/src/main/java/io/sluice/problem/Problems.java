package io.sluice.problem;

import java.util.ArrayList;
import java.util.List;

/** Collects problems while a file is read, so that one pass reports all of them. */
public final class Problems {
    private final String file;
    private final List<Problem> list = new ArrayList<>();

    public Problems(String file) {
        this.file = file;
    }

    public String file() {
        return file;
    }

    public void error(int line, int column, String message) {
        list.add(Problem.error(file, line, column, message));
    }

    public void warning(int line, int column, String message) {
        list.add(Problem.warning(file, line, column, message));
    }

    public void add(Problem problem) {
        list.add(problem);
    }

    public boolean hasErrors() {
        return list.stream().anyMatch(Problem::isError);
    }

    /** Problems in file order, so the output reads top to bottom. */
    public List<Problem> sorted() {
        return list.stream()
                .sorted(Problem.ORDER)
                .toList();
    }
}
