package verify_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/verify"
)

// The contract every Store keeps, checked on each kind.
func TestStoreContract(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		s := store()
		const phone = "380979965073"

		e, err := s.Load(ctx, phone)
		require.NoError(t, err)
		assert.Equal(t, verify.Entry{}, e, "nothing stored")

		e, ok, err := s.Acquire(ctx, phone, "", "token-a", time.Minute)
		require.NoError(t, err)
		require.True(t, ok)
		assert.False(t, e.Locked)

		e, ok, err = s.Acquire(ctx, phone, "", "token-b", time.Minute)
		require.NoError(t, err)
		assert.False(t, ok, "the lock is held")
		assert.True(t, e.Locked)
		e, err = s.Load(ctx, phone)
		require.NoError(t, err)
		assert.True(t, e.Locked)

		require.ErrorIs(t, s.Commit(ctx, phone, "token-b", []byte("x"), time.Minute), verify.ErrLeaseLost)
		require.NoError(t, s.Commit(ctx, phone, "token-a", []byte(`{"id":"1"}`), time.Minute))
		e, err = s.Load(ctx, phone)
		require.NoError(t, err)
		assert.Equal(t, verify.Entry{Version: "token-a", Data: []byte(`{"id":"1"}`)}, e)
		require.ErrorIs(t, s.Commit(ctx, phone, "token-a", []byte("again"), time.Minute), verify.ErrLeaseLost,
			"a commit releases the lock")

		_, ok, err = s.Acquire(ctx, phone, "", "token-c", time.Minute)
		require.NoError(t, err)
		assert.False(t, ok, "the record is no longer at the version decided from")
		e, ok, err = s.Acquire(ctx, phone, "token-a", "token-c", time.Minute)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, "token-a", e.Version)

		require.NoError(t, s.Release(ctx, phone, "token-x"), "a foreign token releases nothing")
		_, ok, err = s.Acquire(ctx, phone, "token-a", "token-d", time.Minute)
		require.NoError(t, err)
		assert.False(t, ok)
		require.NoError(t, s.Release(ctx, phone, "token-c"))
		e, err = s.Load(ctx, phone)
		require.NoError(t, err)
		assert.Equal(t, verify.Entry{Version: "token-a", Data: []byte(`{"id":"1"}`)}, e, "a release keeps the record")

		_, ok, err = s.Acquire(ctx, phone, "token-a", "token-e", time.Minute)
		require.NoError(t, err)
		require.True(t, ok)
		require.NoError(t, s.Commit(ctx, phone, "token-e", nil, 0), "ttl 0 deletes")
		e, err = s.Load(ctx, phone)
		require.NoError(t, err)
		assert.Equal(t, verify.Entry{}, e)
	})
}

// A lease runs out by the machine's clock: a crashed holder does not block the phone.
func TestStoreLeaseRunsOut(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		s := store()
		const phone = "4915112345678"
		_, ok, err := s.Acquire(ctx, phone, "", "crashed", 20*time.Millisecond)
		require.NoError(t, err)
		require.True(t, ok)
		require.Eventually(t, func() bool {
			_, ok, err := s.Acquire(ctx, phone, "", "next", time.Minute)
			return err == nil && ok
		}, 5*time.Second, 10*time.Millisecond)
		require.ErrorIs(t, s.Commit(ctx, phone, "crashed", []byte("late"), time.Minute), verify.ErrLeaseLost)
	})
}

func TestStoreRecordsRunOut(t *testing.T) {
	eachStore(t, func(t *testing.T, store func() verify.Store) {
		s := store()
		const phone = "4915112345679"
		_, ok, err := s.Acquire(ctx, phone, "", "t", time.Minute)
		require.NoError(t, err)
		require.True(t, ok)
		require.NoError(t, s.Commit(ctx, phone, "t", []byte("short"), 20*time.Millisecond))
		require.Eventually(t, func() bool {
			e, err := s.Load(ctx, phone)
			return err == nil && e.Version == ""
		}, 5*time.Second, 10*time.Millisecond)
	})
}
