package io.sluice.store;

/** A database URL (from {@code --db} or {@code SLUICE_DB_URL}) that names no database Sluice can use: a usage error. */
public final class UnsupportedDatabaseUrlException extends StoreException {
    public UnsupportedDatabaseUrlException(String message) {
        super(message);
    }
}
