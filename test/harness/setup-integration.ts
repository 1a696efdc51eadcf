// Integration tests wait on a real broker and database: consumer groups take
// seconds to form, so the default 5 s per test is too short.
jest.setTimeout(90_000);
