// Versioned schema. Append a migration; never edit a shipped one. PRAGMA user_version holds the version.
export const MIGRATIONS: readonly string[] = [
  // 1: the foundation
  `
  CREATE TABLE locks (
    device_id TEXT PRIMARY KEY,
    radio_id TEXT NOT NULL UNIQUE,
    protocol TEXT NOT NULL,
    name TEXT NOT NULL,
    manufacturer TEXT,
    model TEXT,
    simulated INTEGER NOT NULL,
    is_battery INTEGER NOT NULL,
    capabilities TEXT NOT NULL,
    reported_code_lengths TEXT,
    online INTEGER NOT NULL DEFAULT 0,
    removed INTEGER NOT NULL DEFAULT 0,
    battery_level REAL,
    checksum INTEGER,
    slots_synced INTEGER NOT NULL DEFAULT 0,
    readback_proof TEXT,
    errors TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
  );
  CREATE TABLE access_codes (
    access_code_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES locks(device_id),
    name TEXT,
    code TEXT NOT NULL,
    starts_at TEXT,
    ends_at TEXT,
    status TEXT NOT NULL,
    desired TEXT NOT NULL DEFAULT 'present',
    slot INTEGER,
    was_on_lock INTEGER NOT NULL DEFAULT 0,
    window_opened INTEGER NOT NULL DEFAULT 0,
    is_external_modification_allowed INTEGER NOT NULL DEFAULT 0,
    is_one_time_use INTEGER NOT NULL DEFAULT 0,
    is_offline_access_code INTEGER NOT NULL DEFAULT 0,
    prefer_native_scheduling INTEGER NOT NULL DEFAULT 1,
    use_backup_access_code_pool INTEGER NOT NULL DEFAULT 0,
    is_backup INTEGER NOT NULL DEFAULT 0,
    backup_state TEXT,
    pulled_backup_access_code_id TEXT,
    common_code_key TEXT,
    is_scheduled_on_device INTEGER NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '[]',
    warnings TEXT NOT NULL DEFAULT '[]',
    pending_mutations TEXT NOT NULL DEFAULT '[]',
    attempt_started_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    gave_up INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX access_codes_device ON access_codes(device_id);
  CREATE UNIQUE INDEX access_codes_slot ON access_codes(device_id, slot) WHERE slot IS NOT NULL;
  CREATE TABLE slots (
    device_id TEXT NOT NULL REFERENCES locks(device_id),
    slot INTEGER NOT NULL,
    code TEXT,
    masked INTEGER NOT NULL DEFAULT 0,
    schedule TEXT,
    observed_at TEXT NOT NULL,
    PRIMARY KEY (device_id, slot)
  );
  CREATE TABLE unmanaged_codes (
    access_code_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL REFERENCES locks(device_id),
    slot INTEGER NOT NULL,
    code TEXT,
    name TEXT,
    deleting INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (device_id, slot)
  );
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    device_id TEXT,
    access_code_id TEXT,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    acked_at TEXT
  );
  CREATE INDEX events_unacked ON events(seq) WHERE acked_at IS NULL;
  CREATE TABLE requests (
    request_id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX requests_age ON requests(created_at);
  CREATE TABLE action_attempts (
    action_attempt_id TEXT PRIMARY KEY,
    action_type TEXT NOT NULL,
    status TEXT NOT NULL,
    access_code_id TEXT,
    result TEXT,
    error TEXT,
    created_at TEXT NOT NULL
  );
  `,
  // 2: action attempts know their lock (for /action_attempts/list by device_id) and when they last changed
  // (pending attempts completed later, e.g. lock_door)
  `
  ALTER TABLE action_attempts ADD COLUMN device_id TEXT;
  ALTER TABLE action_attempts ADD COLUMN updated_at TEXT;
  UPDATE action_attempts SET updated_at = created_at,
    device_id = COALESCE((SELECT device_id FROM access_codes c WHERE c.access_code_id = action_attempts.access_code_id),
                         (SELECT device_id FROM unmanaged_codes u WHERE u.access_code_id = action_attempts.access_code_id));
  CREATE INDEX action_attempts_device ON action_attempts(device_id, created_at);
  `,
  // 3: what /devices/update sets on a lock: the name a user gave it (kept apart from the radio's name,
  // which the hub refreshes at every start) and Seam's custom_metadata
  `
  ALTER TABLE locks ADD COLUMN display_name TEXT;
  ALTER TABLE locks ADD COLUMN custom_metadata TEXT NOT NULL DEFAULT '{}';
  `,
  // 4: lock state and remote control (protocol.md §8): what each lock reported about its bolt and door,
  // what it can do, whether low battery was announced; LOCK_DOOR / UNLOCK_DOOR attempts still to run
  `
  ALTER TABLE locks ADD COLUMN lock_state TEXT NOT NULL DEFAULT '{"locked":null,"doorOpen":null}';
  ALTER TABLE locks ADD COLUMN lock_controls TEXT NOT NULL DEFAULT '{"remoteLock":false,"remoteUnlock":false,"doorSensor":false}';
  ALTER TABLE locks ADD COLUMN battery_low INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE lock_operations (
    action_attempt_id TEXT PRIMARY KEY REFERENCES action_attempts(action_attempt_id),
    device_id TEXT NOT NULL REFERENCES locks(device_id),
    locked INTEGER NOT NULL,
    requested_at INTEGER NOT NULL,
    deadline_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_error TEXT
  );
  CREATE INDEX lock_operations_device ON lock_operations(device_id, requested_at);
  `,
  // 5: pairing sessions (protocol.md §7): the pairing object as served, kept for /hub/pairing/get and state frames
  `
  CREATE TABLE pairings (
    pairing_id TEXT PRIMARY KEY,
    protocol TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX pairings_started ON pairings(started_at);
  `,
  // 6: /action_attempts/list pages in SQL in the order attempts were made, and history pruning picks old ones
  // by age: both walk this index instead of scanning and sorting the table
  `
  CREATE INDEX action_attempts_created ON action_attempts(created_at);
  `,
];
