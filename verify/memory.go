package verify

import (
	"bytes"
	"context"
	"sync"
	"time"
)

// sweepEvery is how often the memory store drops the records whose time to live is over.
const sweepEvery = time.Minute

// memoryStore is the Store of a single process.
type memoryStore struct {
	now func() time.Time // the machine's clock: times to live and leases are real durations

	mu        sync.Mutex
	phones    map[string]*memoryPhone
	lastSweep time.Time
}

// memoryPhone is one phone's record and lock. A zero version means no record.
type memoryPhone struct {
	version     string
	data        []byte
	expires     time.Time
	lock        string
	lockExpires time.Time
}

// NewMemoryStore returns a Store that keeps everything in the memory of this process: right
// for one replica and for tests. Several replicas need a shared store such as redisstore.
// Times to live and lock leases run on the machine's clock; a verification's own times come
// from Config.Now.
func NewMemoryStore() Store {
	return &memoryStore{now: time.Now, phones: map[string]*memoryPhone{}}
}

// phoneLocked returns the phone's state with expired parts cleared, or nil.
func (s *memoryStore) phoneLocked(phone string, now time.Time) *memoryPhone {
	p := s.phones[phone]
	if p == nil {
		return nil
	}
	if p.version != "" && !now.Before(p.expires) {
		p.version, p.data = "", nil
	}
	if p.lock != "" && !now.Before(p.lockExpires) {
		p.lock = ""
	}
	if p.version == "" && p.lock == "" {
		delete(s.phones, phone)
		return nil
	}
	return p
}

func (p *memoryPhone) entry() Entry {
	if p == nil {
		return Entry{}
	}
	return Entry{Version: p.version, Data: bytes.Clone(p.data), Locked: p.lock != ""}
}

// Load implements SessionStore.
func (s *memoryStore) Load(ctx context.Context, phone string) (Entry, error) {
	if err := ctx.Err(); err != nil {
		return Entry{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.phoneLocked(phone, s.now()).entry(), nil
}

// Acquire implements SessionStore.
func (s *memoryStore) Acquire(ctx context.Context, phone, version, token string, lease time.Duration) (Entry, bool, error) {
	if err := ctx.Err(); err != nil {
		return Entry{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	p := s.phoneLocked(phone, now)
	if p != nil && (p.lock != "" || p.version != version) || p == nil && version != "" {
		return p.entry(), false, nil
	}
	if p == nil {
		p = &memoryPhone{}
		s.phones[phone] = p
	}
	e := p.entry()
	p.lock, p.lockExpires = token, now.Add(lease)
	return e, true, nil
}

// Commit implements SessionStore.
func (s *memoryStore) Commit(ctx context.Context, phone, token string, data []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	p := s.phoneLocked(phone, now)
	if p == nil || p.lock != token {
		return ErrLeaseLost
	}
	p.lock = ""
	if ttl <= 0 {
		p.version, p.data = "", nil
	} else {
		p.version, p.data, p.expires = token, bytes.Clone(data), now.Add(ttl)
	}
	s.phoneLocked(phone, now)
	s.sweepLocked(now)
	return nil
}

// Release implements SessionStore.
func (s *memoryStore) Release(ctx context.Context, phone, token string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if p := s.phoneLocked(phone, now); p != nil && p.lock == token {
		p.lock = ""
		s.phoneLocked(phone, now)
	}
	return nil
}

// sweepLocked drops every phone whose record and lock have run out, at most once per
// sweepEvery, so that the memory held follows the verifications under way.
func (s *memoryStore) sweepLocked(now time.Time) {
	if now.Sub(s.lastSweep) < sweepEvery {
		return
	}
	s.lastSweep = now
	for phone := range s.phones {
		s.phoneLocked(phone, now)
	}
}
