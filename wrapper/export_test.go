package wrapper

import "time"

// SetClockForTest replaces the clock the client judges token lifetimes by, so that the
// external tests can make a bearer due for refresh without waiting.
func SetClockForTest(c *Client, now func() time.Time) { c.auth.now = now }
