package verify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"
)

// The phone's lock is held only while this package talks to the service for the phone.
const (
	// lockLease is how long a lock holds when its holder never releases it (a crash).
	lockLease = 30 * time.Second
	// callBudget bounds the service calls made under a lock, so that the lock outlives them.
	callBudget = 20 * time.Second
	// Waiting for another call's lock polls the store, from pollMin doubling to pollMax.
	pollMin = 2 * time.Millisecond
	pollMax = 50 * time.Millisecond
)

// phoneState is one phone's record as last read from the store, and the lock once held.
type phoneState struct {
	store Store
	phone string
	entry Entry
	rec   *record
	token string // the lock's token while held
}

// load reads the phone's record.
func (v *Verifier) load(ctx context.Context, p phone) (*phoneState, error) {
	st := &phoneState{store: v.cfg.Store, phone: p.digits}
	e, err := st.store.Load(ctx, p.digits)
	if err != nil {
		return nil, storeError("load", err)
	}
	return st, st.set(e)
}

// set takes a fresh read of the entry.
func (st *phoneState) set(e Entry) error {
	r, err := decodeRecord(e)
	if err != nil {
		return storeError("decode", err)
	}
	st.entry, st.rec = e, r
	return nil
}

// lock takes the phone's lock if the record is still the one last read. When it is not, lock
// reads the record again (waiting first while another call holds the lock) and returns false:
// the caller decides again from the fresh record.
func (st *phoneState) lock(ctx context.Context) (bool, error) {
	token := newToken()
	e, ok, err := st.store.Acquire(ctx, st.phone, st.entry.Version, token, lockLease)
	if err != nil {
		return false, storeError("acquire", err)
	}
	if ok {
		st.token = token
		return true, nil
	}
	for wait := pollMin; e.Locked && e.Version == st.entry.Version; wait = min(2*wait, pollMax) {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return false, ctx.Err()
		case <-t.C:
		}
		if e, err = st.store.Load(ctx, st.phone); err != nil {
			return false, storeError("load", err)
		}
	}
	return false, st.set(e)
}

// commit writes r and releases the lock.
func (st *phoneState) commit(ctx context.Context, r *record, now time.Time) error {
	if err := st.store.Commit(ctx, st.phone, st.token, r.encode(), r.ttl(now)); err != nil {
		return storeError("commit", err)
	}
	return nil
}

// release frees the lock without writing, even when the caller has gone; a failure only leaves
// the lock to its lease.
func (st *phoneState) release(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), afterCallBudget)
	defer cancel()
	_ = st.store.Release(ctx, st.phone, st.token)
}

// newToken returns a random lock token, unique across processes.
func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}
