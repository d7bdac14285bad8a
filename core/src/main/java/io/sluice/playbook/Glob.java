package io.sluice.playbook;

import java.util.regex.Pattern;

/** A task glob of a {@code match:} line: {@code *} any run of characters, {@code ?} one character. */
public record Glob(String text, Pattern pattern) {

    public static Glob of(String text) {
        StringBuilder regex = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new Glob(text, Pattern.compile(regex.toString()));
    }

    public boolean matches(String taskId) {
        return pattern.matcher(taskId).matches();
    }

    /** True for {@code *} (and {@code **}): it matches every task, so it adds nothing. */
    public boolean matchesEverything() {
        return text.chars().allMatch(c -> c == '*');
    }
}
