package verify

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// keyGrace is how long a record outlives the verification it describes, so that replicas
// whose clocks differ a little still find it: well under the minute the records may outlive
// their verifications.
const keyGrace = 30 * time.Second

// record is what the store keeps for one phone: the current verification. It holds the hash of
// the last code entered, never a code.
type record struct {
	ID         string         `json:"id"`
	Status     wrapper.Status `json:"status"` // as last known; a pending one past ExpiresAt has expired
	Country    string         `json:"country"`
	Sends      int            `json:"sends"`
	Tries      int            `json:"tries"` // wrong codes entered
	MaxTries   int            `json:"max_tries"`
	Lifetime   time.Duration  `json:"lifetime"`
	SentAt     time.Time      `json:"sent_at"` // of the current code
	ExpiresAt  time.Time      `json:"expires_at"`
	FinishedAt time.Time      `json:"finished_at,omitzero"`
	// CodeHash is the hash of the last code entered for the current code: the one that
	// verified it, or the last wrong one.
	CodeHash string `json:"code_hash,omitempty"`
}

// decodeRecord reads an entry; nil when the phone has no record.
func decodeRecord(e Entry) (*record, error) {
	if e.Version == "" {
		return nil, nil
	}
	r := new(record)
	if err := json.Unmarshal(e.Data, r); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *record) encode() []byte {
	b, _ := json.Marshal(r) // a struct of strings, numbers and times always encodes
	return b
}

// status is the record's state at now: a pending code past its lifetime has expired.
func (r *record) status(now time.Time) wrapper.Status {
	if r.Status == wrapper.StatusPending && !now.Before(r.ExpiresAt) {
		return wrapper.StatusExpired
	}
	return r.Status
}

// end is when the record stops mattering: when its code expires, or, once verified, when a
// re-submit of the right code is no longer answered as verified.
func (r *record) end() time.Time {
	if r.Status == wrapper.StatusVerified {
		return r.FinishedAt.Add(r.Lifetime)
	}
	return r.ExpiresAt
}

// ttl is how long the store keeps the record from now.
func (r *record) ttl(now time.Time) time.Duration {
	return r.end().Sub(now) + keyGrace
}

// codeHash is a one-way hash of a code entered for the record's current code. It is salted
// with the session id and the send, so it says nothing across sessions; a short code can still
// be found from its hash by trying them all, which is why it is kept only for a code that is
// already spent (it verified the session) or wrong.
func (r *record) codeHash(code string) string {
	h := sha256.New()
	h.Write([]byte(r.ID))
	h.Write([]byte{0})
	h.Write(strconv.AppendInt(nil, int64(r.Sends), 10))
	h.Write([]byte{0})
	h.Write([]byte(code))
	return hex.EncodeToString(h.Sum(nil))
}

// finish marks the record ended as status at now.
func (r *record) finish(status wrapper.Status, now time.Time) {
	r.Status, r.FinishedAt = status, now
}
