package io.sluice.problem;

/** How bad a problem is: errors make a definition invalid, warnings only inform. */
public enum Severity {
    ERROR,
    WARNING
}
