package wrapper

import (
	"context"
	"log/slog"
	"time"

	"github.com/go-bsg/bsg2fa/internal/phone"
)

// logAttempt writes the debug line of one exchange: method, path template, attempt, duration,
// status (0: no answer) and error. The path is the template, never the real path, nothing
// from headers or bodies is logged, and the recipient is masked.
func (c *Client) logAttempt(ctx context.Context, method string, info callInfo, status int, err error, attempt int, d time.Duration) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := make([]slog.Attr, 0, 7)
	attrs = append(attrs,
		slog.String("method", method),
		slog.String("path", info.path),
		slog.Int("attempt", attempt+1),
		slog.Duration("duration", d),
	)
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	if info.recipient != "" {
		attrs = append(attrs, slog.String("recipient", phone.Mask(info.recipient)))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "bsg2fa request", attrs...)
}

// debug logs a message at debug level when the client has a logger that wants it.
func (c *Client) debug(ctx context.Context, msg string, args ...any) {
	if c.logger != nil && c.logger.Enabled(ctx, slog.LevelDebug) {
		c.logger.DebugContext(ctx, msg, args...)
	}
}
