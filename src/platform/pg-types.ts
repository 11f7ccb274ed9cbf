/**
 * How node-postgres turns PostgreSQL values into JavaScript, set once per
 * thread that talks to the database (importing this module is enough).
 */
import pg from 'pg';

// PostgreSQL bigint (int8) arrives as a string by default; the broker's bigints
// (audit sequence numbers) stay far below 2^53, so read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
