"""The audit trail and electronic signatures (21 CFR Part 11, EU GMP Annex 11).

Modules: ``models`` (tables), ``capture`` (the flush hooks that record every change of an
audited model), ``chain`` (hash chains: append and verify), ``signatures`` (e-signatures and the
registry of signable types), ``signables`` (the types this domain registers), ``service`` (the
API other domains, views and the CLI use), ``views``, ``schemas``.

What is guaranteed (README.md, "Audit trail", says the same for operators):

* **Capture.** Every insert, update and delete of a model declaring ``__audited__`` that goes
  through a SQLAlchemy session is recorded in the same transaction, with per-field old and new
  values, the actor (user id and printed name, or a named system actor), UTC time, the client's
  offset, client/device, station and request id. A flush of an audited change with no actor
  raises; ORM bulk statements on audited models are refused. Sign-in, sign-out, failed sign-in,
  lockout, signing and export are explicit entries. The trail has no switch anywhere. Not
  captured: SQL that bypasses the ORM (raw SQL, Core statements on audited tables); no code does
  that, and a test forbids the legacy bulk methods.
* **Chains.** Entries form ``models.STREAMS`` (32) hash chains: ``hash = sha256(prev_hash +
  canonical JSON of the entry)``. A writing transaction locks one free stream row (PostgreSQL
  ``FOR UPDATE SKIP LOCKED``) from its first audited flush until it ends and appends there, so up
  to 32 concurrent writers never wait for each other (more share streams and queue). Within a
  stream entries are totally ordered and gap-free (a rollback removes entries and head move
  together); across streams, order is by timestamp only.
* **Detection**, by ``lotline audit verify`` / ``GET /api/audit/verify``, for every committed
  entry from the moment it commits: a changed field (``hash_mismatch``), a deleted entry
  (``gap`` at the next one, or ``truncated`` if it was a stream's last), swapped or moved entries
  (``reordered``), an inserted entry with a wrong link or hash (``broken_link``,
  ``hash_mismatch``), an entry appended without moving its stream head (``beyond_head``), a head
  that disagrees with its stream (``head_mismatch``). The first broken entry (lowest id) is named.
* **Limits.** The hash is not keyed: someone with write access to the tables and this code could
  recompute a stream's later hashes and its head. Against that, PostgreSQL refuses UPDATE, DELETE
  and TRUNCATE on entries and signatures (and moving a head backwards) by trigger, which only the
  table owner or a superuser can disable; and ``verify`` prints a *seal*, the SHA-256 of every
  stream head: a seal recorded outside the database (e.g. in the periodic audit-trail review)
  exposes any later rewrite or truncation of what it covered. SQLite (embedded, single node) has
  no triggers: there the chain and file permissions are the protection.
"""
