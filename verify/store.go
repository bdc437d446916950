package verify

import (
	"context"
	"errors"
	"time"
)

// Store keeps what the Verifiers of one application share: one record per phone number and a
// short lock per phone, so that several goroutines or several replicas never talk to the
// service for the same phone at once. NewMemoryStore serves one process; redisstore.New serves
// many replicas through Redis. Every implementation must make each method atomic per phone
// across all the processes that share it, and give every key it writes a time to live.
//
// Store is the set of what verification needs; more groups of methods (such as counters for the
// rules that run before a code is sent) are embedded here as they are added.
type Store interface {
	SessionStore
}

// SessionStore holds one versioned record per phone and the phone's lock. The record is opaque
// to the store: Verifier encodes it, the store keeps its bytes. phone is the number's E.164
// digits; a store derives its own keys from it.
//
// A Verifier reads with Load, decides, and only when it must call the service takes the lock
// with Acquire, naming the version it decided from; it then writes the outcome and releases the
// lock in one Commit (or only releases it with Release). A version is the token of the Commit
// that wrote it, so it never repeats.
type SessionStore interface {
	// Load returns the phone's record; Entry.Version is "" when there is none.
	Load(ctx context.Context, phone string) (Entry, error)
	// Acquire takes the phone's lock for lease under token, but only if nobody holds it and
	// the record is still at version. It returns the entry as it was before the call, and
	// whether the lock was taken.
	Acquire(ctx context.Context, phone, version, token string, lease time.Duration) (Entry, bool, error)
	// Commit writes data as the phone's record, with token as its version and ttl as its time
	// to live (ttl <= 0 deletes the record), and releases the lock — all only if token still
	// holds the lock; otherwise it changes nothing and returns ErrLeaseLost.
	Commit(ctx context.Context, phone, token string, data []byte, ttl time.Duration) error
	// Release frees the phone's lock if token holds it, and does nothing otherwise.
	Release(ctx context.Context, phone, token string) error
}

// Entry is a phone's record as a store holds it.
type Entry struct {
	// Version identifies the record; "" when the phone has none.
	Version string
	// Data is the record, as Verifier encoded it.
	Data []byte
	// Locked reports that a lock on the phone is held by another call (false in the entry
	// Acquire returns with the lock it took).
	Locked bool
}

// ErrLeaseLost is returned by SessionStore.Commit when the token no longer holds the phone's
// lock: its lease ran out, and another call may hold the lock now.
var ErrLeaseLost = errors.New("verify: the phone's lock was lost")
