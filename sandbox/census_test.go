package sandbox

import "github.com/go-bsg/bsg2fa/gen"

// pendingCount is how many sessions are pending by the server's own count.
func (s *Server) pendingCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending
}

// censusForTest counts by walking every session: how many are held, how many pending, and how
// many pending ones are past their deadline by the sandbox clock.
func (s *Server) censusForTest() (retained, pending, overdue int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, a := range s.sessions {
		if a.status == gen.AuthenticationStatusPending {
			pending++
			if !now.Before(a.expires) {
				overdue++
			}
		}
	}
	return len(s.sessions), pending, overdue
}
