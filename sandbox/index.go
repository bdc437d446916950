package sandbox

import "time"

// createdIndex keeps sessions ordered by (created, seq) in a treap whose nodes count their
// subtrees, so the sessions created in a time range, and any page of them, are found in
// O(log n + page): a list never walks or sorts every session for its default order. seq, the
// creation sequence number, makes every key unique and orders sessions created in the same
// instant as they were created, even when a test's clock goes backwards.
type createdIndex struct {
	root *indexNode
	prio uint64 // splitmix64 state for node priorities
}

type indexNode struct {
	s           *session
	prio        uint64
	size        int
	left, right *indexNode
}

func sizeOf(n *indexNode) int {
	if n == nil {
		return 0
	}
	return n.size
}

func (n *indexNode) fix() { n.size = 1 + sizeOf(n.left) + sizeOf(n.right) }

func createdBefore(a, b *session) bool {
	if c := a.created.Compare(b.created); c != 0 {
		return c < 0
	}
	return a.seq < b.seq
}

// nextPrio is splitmix64: priorities need only be spread evenly, not unpredictable, because
// clients choose neither the keys (creation times) nor the order of insertion.
func (x *createdIndex) nextPrio() uint64 {
	x.prio += 0x9e3779b97f4a7c15
	z := x.prio
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func (x *createdIndex) len() int { return sizeOf(x.root) }

func (x *createdIndex) insert(s *session) {
	x.root = insertNode(x.root, &indexNode{s: s, prio: x.nextPrio(), size: 1})
}

func insertNode(n, node *indexNode) *indexNode {
	if n == nil {
		return node
	}
	if createdBefore(node.s, n.s) {
		n.left = insertNode(n.left, node)
		if n.left.prio > n.prio {
			l := n.left
			n.left, l.right = l.right, n
			n.fix()
			l.fix()
			return l
		}
	} else {
		n.right = insertNode(n.right, node)
		if n.right.prio > n.prio {
			r := n.right
			n.right, r.left = r.left, n
			n.fix()
			r.fix()
			return r
		}
	}
	n.fix()
	return n
}

func (x *createdIndex) remove(s *session) { x.root = removeNode(x.root, s) }

func removeNode(n *indexNode, s *session) *indexNode {
	switch {
	case n == nil:
		return nil
	case n.s == s:
		return merge(n.left, n.right)
	case createdBefore(s, n.s):
		n.left = removeNode(n.left, s)
	default:
		n.right = removeNode(n.right, s)
	}
	n.fix()
	return n
}

// merge joins two treaps whose keys are all ordered a < b.
func merge(a, b *indexNode) *indexNode {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.prio > b.prio:
		a.right = merge(a.right, b)
		a.fix()
		return a
	default:
		b.left = merge(a, b.left)
		b.fix()
		return b
	}
}

// rank counts the sessions created before t.
func (x *createdIndex) rank(t time.Time) int {
	r := 0
	for n := x.root; n != nil; {
		if n.s.created.Before(t) {
			r += sizeOf(n.left) + 1
			n = n.right
		} else {
			n = n.left
		}
	}
	return r
}

// walk calls fn for the sessions of ranks [lo, hi), in ascending order or, with desc, in
// descending order, until fn returns false.
func (x *createdIndex) walk(lo, hi int, desc bool, fn func(*session) bool) {
	if lo < hi {
		walkNode(x.root, 0, lo, hi, desc, fn)
	}
}

func walkNode(n *indexNode, base, lo, hi int, desc bool, fn func(*session) bool) bool {
	if n == nil || hi <= base || lo >= base+n.size {
		return true
	}
	self := base + sizeOf(n.left)
	first, second := n.left, n.right
	firstBase, secondBase := base, self+1
	if desc {
		first, second, firstBase, secondBase = second, first, secondBase, firstBase
	}
	if !walkNode(first, firstBase, lo, hi, desc, fn) {
		return false
	}
	if self >= lo && self < hi && !fn(n.s) {
		return false
	}
	return walkNode(second, secondBase, lo, hi, desc, fn)
}

// expiryHeap is a min-heap of pending sessions by their own deadline (container/heap), so
// every session expires on time whatever the order the lifetimes arrived in.
type expiryHeap []*session

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIndex, h[j].heapIndex = i, j
}

func (h *expiryHeap) Push(x any) {
	a := x.(*session)
	a.heapIndex = len(*h)
	*h = append(*h, a)
}

func (h *expiryHeap) Pop() any {
	old := *h
	a := old[len(old)-1]
	old[len(old)-1] = nil
	a.heapIndex = -1
	*h = old[:len(old)-1]
	return a
}
