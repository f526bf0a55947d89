package io.anvil.periodic;

/** What a node visitor wants next: go on with the next node, or end this run early (Ironic's periodics.Stop). */
public enum Visit {
    CONTINUE,
    STOP
}
