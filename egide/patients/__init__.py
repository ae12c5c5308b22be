"""The patient vault: identities, notes, documents, search (issue 4)."""
