package genhdr

// makecompresseddata.py prints, as comments, the sizes Python's gzip and
// zlib modules get for the messages. To reproduce those bytes we need the
// exact size of zlib's deflate output, which Go's compress/flate does not
// give (it finds different matches). This file models zlib's deflate
// (versions 1.2.x and 1.3.x: lazy matching, memLevel 8, 32K window, default
// strategy) closely enough to count the bits it emits, without emitting
// them. Our oracle test compares it with Python's zlib on many inputs.

const (
	dfWSize        = 1 << 15
	dfWMask        = dfWSize - 1
	dfWindowSize   = 2 * dfWSize
	dfHashBits     = 8 + 7 // memLevel + 7
	dfHashSize     = 1 << dfHashBits
	dfHashMask     = dfHashSize - 1
	dfHashShift    = (dfHashBits + dfMinMatch - 1) / dfMinMatch
	dfMinMatch     = 3
	dfMaxMatch     = 258
	dfMinLookahead = dfMaxMatch + dfMinMatch + 1
	dfMaxDist      = dfWSize - dfMinLookahead
	dfTooFar       = 4096
	dfSymLimit     = 1<<(8+6) - 1 // lit_bufsize-1 symbols fill a block

	dfLiterals   = 256
	dfLengthCode = 29
	dfLCodes     = dfLiterals + 1 + dfLengthCode
	dfDCodes     = 30
	dfBLCodes    = 19
	dfHeapSize   = 2*dfLCodes + 1
	dfMaxBits    = 15
	dfMaxBLBits  = 7
	dfEndBlock   = 256
)

// dfConfig is zlib's configuration_table row for a lazy level.
type dfConfig struct{ good, lazy, nice, chain int }

var dfConfigs = map[int]dfConfig{
	4: {4, 4, 16, 16}, 5: {8, 16, 32, 32}, 6: {8, 16, 128, 128},
	7: {8, 32, 128, 256}, 8: {32, 128, 258, 1024}, 9: {32, 258, 258, 4096},
}

var (
	dfExtraLBits  = []int{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	dfExtraDBits  = []int{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	dfExtraBLBits = []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7}
	dfBLOrder     = []int{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

	dfLengthCodes, dfDistCodes = dfCodeTables()
	dfStaticLLen, dfStaticDLen = dfStaticLens()
)

// dfCodeTables maps match lengths (minus 3) to length codes and distances
// (minus 1) to distance codes, the latter in two halves like zlib's
// _dist_code: direct below 256, then by distance/128.
func dfCodeTables() (lengths [256]int, dists [512]int) {
	n := 0
	for code := 0; code < dfLengthCode-1; code++ {
		for range 1 << dfExtraLBits[code] {
			lengths[n] = code
			n++
		}
	}
	lengths[255] = dfLengthCode - 1 // length 258 uses its own code
	d := 0
	for code := 0; code < 16; code++ {
		for range 1 << dfExtraDBits[code] {
			dists[d] = code
			d++
		}
	}
	d >>= 7
	for code := 16; code < dfDCodes; code++ {
		for range 1 << (dfExtraDBits[code] - 7) {
			dists[256+d] = code
			d++
		}
	}
	return lengths, dists
}

func dfStaticLens() (lit []int, dist []int) {
	lit = make([]int, dfLCodes+2)
	for n := range lit {
		switch {
		case n <= 143:
			lit[n] = 8
		case n <= 255:
			lit[n] = 9
		case n <= 279:
			lit[n] = 7
		default:
			lit[n] = 8
		}
	}
	dist = make([]int, dfDCodes)
	for n := range dist {
		dist[n] = 5
	}
	return lit, dist
}

func dfDistCode(dist int) int {
	if dist < 256 {
		return dfDistCodes[dist]
	}
	return dfDistCodes[256+(dist>>7)]
}

// dfTree is one Huffman tree under construction (zlib's ct_data array plus
// its static description).
type dfTree struct {
	freq, dad, len []int
	elems          int
	static         []int // fixed-code lengths, nil for the bit length tree
	extra          []int
	extraBase      int
	maxLength      int
	maxCode        int
}

func newDFTree(elems int, static, extra []int, extraBase, maxLength int) *dfTree {
	n := 2*elems + 1
	return &dfTree{
		freq: make([]int, n), dad: make([]int, n), len: make([]int, n),
		elems: elems, static: static, extra: extra, extraBase: extraBase, maxLength: maxLength,
	}
}

type deflateSim struct {
	cfg    dfConfig
	input  []byte
	inPos  int
	window []byte
	prev   []int
	head   []int
	insH   int

	strstart, blockStart, lookahead, insert int
	matchStart, matchLength                 int
	prevLength, prevMatch                   int
	matchAvailable                          bool

	ltree, dtree, bltree *dfTree
	syms                 int
	optLen, staticLen    int
	heap                 [dfHeapSize]int
	depth                [dfHeapSize]int
	heapLen, heapMax     int
	blCount              [dfMaxBits + 1]int

	bits int // bits written so far
}

// deflateLen returns the length in bytes of the raw deflate stream zlib
// writes for data at a lazy-matching level (4..9) in one Z_FINISH call, as
// Python's zlib.compress and gzip.compress make it.
func deflateLen(data []byte, level int) int {
	s := &deflateSim{
		cfg:    dfConfigs[level],
		input:  data,
		window: make([]byte, dfWindowSize),
		prev:   make([]int, dfWSize),
		head:   make([]int, dfHashSize),
		ltree:  newDFTree(dfLCodes, dfStaticLLen, dfExtraLBits, dfLiterals+1, dfMaxBits),
		dtree:  newDFTree(dfDCodes, dfStaticDLen, dfExtraDBits, 0, dfMaxBits),
		bltree: newDFTree(dfBLCodes, nil, dfExtraBLBits, 0, dfMaxBLBits),

		matchLength: dfMinMatch - 1,
		prevLength:  dfMinMatch - 1,
	}
	s.initBlock()
	s.run()
	return s.bits / 8
}

func (s *deflateSim) updateHash(c byte) {
	s.insH = (s.insH<<dfHashShift ^ int(c)) & dfHashMask
}

// insertString adds the string at pos to its hash chain and returns the
// previous head of that chain.
func (s *deflateSim) insertString(pos int) int {
	s.updateHash(s.window[pos+dfMinMatch-1])
	head := s.head[s.insH]
	s.prev[pos&dfWMask] = head
	s.head[s.insH] = pos
	return head
}

func (s *deflateSim) fillWindow() {
	for {
		more := dfWindowSize - s.lookahead - s.strstart
		if s.strstart >= dfWSize+dfMaxDist {
			copy(s.window, s.window[dfWSize:dfWSize+dfWSize-more])
			s.matchStart -= dfWSize
			s.strstart -= dfWSize
			s.blockStart -= dfWSize
			s.insert = min(s.insert, s.strstart)
			for i, m := range s.head {
				s.head[i] = max(m-dfWSize, 0)
			}
			for i, m := range s.prev {
				s.prev[i] = max(m-dfWSize, 0)
			}
			more += dfWSize
		}
		if s.inPos == len(s.input) {
			break
		}
		n := copy(s.window[s.strstart+s.lookahead:s.strstart+s.lookahead+more], s.input[s.inPos:])
		s.inPos += n
		s.lookahead += n
		if s.lookahead+s.insert >= dfMinMatch {
			str := s.strstart - s.insert
			s.insH = int(s.window[str])
			s.updateHash(s.window[str+1])
			for s.insert > 0 {
				s.insertString(str)
				str++
				s.insert--
				if s.lookahead+s.insert < dfMinMatch {
					break
				}
			}
		}
		if s.lookahead >= dfMinLookahead || s.inPos == len(s.input) {
			break
		}
	}
}

func (s *deflateSim) longestMatch(cur int) int {
	chain := s.cfg.chain
	scan := s.strstart
	bestLen := s.prevLength
	nice := s.cfg.nice
	limit := 0
	if s.strstart > dfMaxDist {
		limit = s.strstart - dfMaxDist
	}
	w := s.window
	scanEnd1, scanEnd := w[scan+bestLen-1], w[scan+bestLen]
	if s.prevLength >= s.cfg.good {
		chain >>= 2
	}
	nice = min(nice, s.lookahead)
	for {
		m := cur
		if w[m+bestLen] == scanEnd && w[m+bestLen-1] == scanEnd1 && w[m] == w[scan] && w[m+1] == w[scan+1] {
			// Offset 2 is not compared: equal hashes imply it is equal.
			l := 3
			for l < dfMaxMatch && w[scan+l] == w[m+l] {
				l++
			}
			if l > bestLen {
				s.matchStart = cur
				bestLen = l
				if l >= nice {
					break
				}
				scanEnd1, scanEnd = w[scan+bestLen-1], w[scan+bestLen]
			}
		}
		cur = s.prev[cur&dfWMask]
		chain--
		if cur <= limit || chain == 0 {
			break
		}
	}
	return min(bestLen, s.lookahead)
}

func (s *deflateSim) tallyLit(c byte) bool {
	s.ltree.freq[c]++
	s.syms++
	return s.syms == dfSymLimit
}

func (s *deflateSim) tallyDist(dist, lc int) bool {
	s.ltree.freq[dfLengthCodes[lc]+dfLiterals+1]++
	s.dtree.freq[dfDistCode(dist-1)]++
	s.syms++
	return s.syms == dfSymLimit
}

// run is zlib's deflate_slow with flush = Z_FINISH.
func (s *deflateSim) run() {
	for {
		if s.lookahead < dfMinLookahead {
			s.fillWindow()
			if s.lookahead == 0 {
				break
			}
		}
		hashHead := 0
		if s.lookahead >= dfMinMatch {
			hashHead = s.insertString(s.strstart)
		}
		s.prevLength, s.prevMatch = s.matchLength, s.matchStart
		s.matchLength = dfMinMatch - 1
		if hashHead != 0 && s.prevLength < s.cfg.lazy && s.strstart-hashHead <= dfMaxDist {
			s.matchLength = s.longestMatch(hashHead)
			if s.matchLength <= 5 && s.matchLength == dfMinMatch && s.strstart-s.matchStart > dfTooFar {
				s.matchLength = dfMinMatch - 1
			}
		}
		switch {
		case s.prevLength >= dfMinMatch && s.matchLength <= s.prevLength:
			maxInsert := s.strstart + s.lookahead - dfMinMatch
			flush := s.tallyDist(s.strstart-1-s.prevMatch, s.prevLength-dfMinMatch)
			s.lookahead -= s.prevLength - 1
			for n := s.prevLength - 2; n > 0; n-- {
				s.strstart++
				if s.strstart <= maxInsert {
					s.insertString(s.strstart)
				}
			}
			s.matchAvailable = false
			s.matchLength = dfMinMatch - 1
			s.strstart++
			if flush {
				s.flushBlock(false)
			}
		case s.matchAvailable:
			if s.tallyLit(s.window[s.strstart-1]) {
				s.flushBlock(false)
			}
			s.strstart++
			s.lookahead--
		default:
			s.matchAvailable = true
			s.strstart++
			s.lookahead--
		}
	}
	if s.matchAvailable {
		s.tallyLit(s.window[s.strstart-1])
		s.matchAvailable = false
	}
	s.flushBlock(true)
}

func (s *deflateSim) initBlock() {
	for _, t := range []*dfTree{s.ltree, s.dtree, s.bltree} {
		clear(t.freq)
	}
	s.ltree.freq[dfEndBlock] = 1
	s.optLen, s.staticLen, s.syms = 0, 0, 0
}

// flushBlock is _tr_flush_block: choose stored, fixed or dynamic codes,
// whichever is smallest, and count the bits.
func (s *deflateSim) flushBlock(last bool) {
	storedLen := s.strstart - s.blockStart
	haveBuf := s.blockStart >= 0

	s.buildTree(s.ltree)
	s.buildTree(s.dtree)
	s.buildBLTree()
	optLenB := (s.optLen + 3 + 7) >> 3
	staticLenB := (s.staticLen + 3 + 7) >> 3
	if staticLenB <= optLenB {
		optLenB = staticLenB
	}
	switch {
	case storedLen+4 <= optLenB && haveBuf:
		s.bits = (s.bits+3+7)&^7 + 8*(4+storedLen)
	case staticLenB == optLenB:
		s.bits += 3 + s.staticLen
	default:
		s.bits += 3 + s.optLen
	}
	s.initBlock()
	if last {
		s.bits = (s.bits + 7) &^ 7
	}
	s.blockStart = s.strstart
}

func (s *deflateSim) smaller(t *dfTree, n, m int) bool {
	return t.freq[n] < t.freq[m] || t.freq[n] == t.freq[m] && s.depth[n] <= s.depth[m]
}

func (s *deflateSim) downHeap(t *dfTree, k int) {
	v := s.heap[k]
	for j := k << 1; j <= s.heapLen; j <<= 1 {
		if j < s.heapLen && s.smaller(t, s.heap[j+1], s.heap[j]) {
			j++
		}
		if s.smaller(t, v, s.heap[j]) {
			break
		}
		s.heap[k] = s.heap[j]
		k = j
	}
	s.heap[k] = v
}

// buildTree is zlib's build_tree: a Huffman tree by frequency with depth
// as tie breaker, code lengths limited to maxLength, and the block's
// dynamic and static bit counts updated.
func (s *deflateSim) buildTree(t *dfTree) {
	s.heapLen, s.heapMax = 0, dfHeapSize
	maxCode := -1
	for n := range t.elems {
		if t.freq[n] != 0 {
			s.heapLen++
			s.heap[s.heapLen] = n
			maxCode = n
			s.depth[n] = 0
		} else {
			t.len[n] = 0
		}
	}
	// At least two codes, so that every tree sends at least one bit.
	for s.heapLen < 2 {
		node := 0
		if maxCode < 2 {
			maxCode++
			node = maxCode
		}
		s.heapLen++
		s.heap[s.heapLen] = node
		t.freq[node] = 1
		s.depth[node] = 0
		s.optLen--
		if t.static != nil {
			s.staticLen -= t.static[node]
		}
	}
	t.maxCode = maxCode
	for n := s.heapLen / 2; n >= 1; n-- {
		s.downHeap(t, n)
	}
	node := t.elems
	for {
		n := s.heap[1]
		s.heap[1] = s.heap[s.heapLen]
		s.heapLen--
		s.downHeap(t, 1)
		m := s.heap[1]
		s.heapMax--
		s.heap[s.heapMax] = n
		s.heapMax--
		s.heap[s.heapMax] = m
		t.freq[node] = t.freq[n] + t.freq[m]
		s.depth[node] = max(s.depth[n], s.depth[m]) + 1
		t.dad[n], t.dad[m] = node, node
		s.heap[1] = node
		node++
		s.downHeap(t, 1)
		if s.heapLen < 2 {
			break
		}
	}
	s.heapMax--
	s.heap[s.heapMax] = s.heap[1]
	s.genBitLen(t)
}

func (s *deflateSim) genBitLen(t *dfTree) {
	clear(s.blCount[:])
	t.len[s.heap[s.heapMax]] = 0
	overflow := 0
	for h := s.heapMax + 1; h < dfHeapSize; h++ {
		n := s.heap[h]
		bits := t.len[t.dad[n]] + 1
		if bits > t.maxLength {
			bits = t.maxLength
			overflow++
		}
		t.len[n] = bits
		if n > t.maxCode {
			continue // internal node
		}
		s.blCount[bits]++
		xbits := 0
		if n >= t.extraBase {
			xbits = t.extra[n-t.extraBase]
		}
		f := t.freq[n]
		s.optLen += f * (bits + xbits)
		if t.static != nil {
			s.staticLen += f * (t.static[n] + xbits)
		}
	}
	if overflow == 0 {
		return
	}
	// Move overflowing leaves up, then give the lengths back out by
	// increasing frequency.
	for overflow > 0 {
		bits := t.maxLength - 1
		for s.blCount[bits] == 0 {
			bits--
		}
		s.blCount[bits]--
		s.blCount[bits+1] += 2
		s.blCount[t.maxLength]--
		overflow -= 2
	}
	h := dfHeapSize
	for bits := t.maxLength; bits != 0; bits-- {
		for n := s.blCount[bits]; n != 0; {
			h--
			m := s.heap[h]
			if m > t.maxCode {
				continue
			}
			if t.len[m] != bits {
				s.optLen += (bits - t.len[m]) * t.freq[m]
				t.len[m] = bits
			}
			n--
		}
	}
}

// scanTree counts the bit length codes needed to send a tree's lengths.
func (s *deflateSim) scanTree(t *dfTree) {
	lenAt := func(n int) int {
		if n > t.maxCode {
			return 0xffff // guard
		}
		return t.len[n]
	}
	prevLen, count := -1, 0
	nextLen := lenAt(0)
	maxCount, minCount := 7, 4
	if nextLen == 0 {
		maxCount, minCount = 138, 3
	}
	bl := s.bltree.freq
	for n := 0; n <= t.maxCode; n++ {
		curLen := nextLen
		nextLen = lenAt(n + 1)
		count++
		if count < maxCount && curLen == nextLen {
			continue
		}
		switch {
		case count < minCount:
			bl[curLen] += count
		case curLen != 0:
			if curLen != prevLen {
				bl[curLen]++
			}
			bl[16]++
		case count <= 10:
			bl[17]++
		default:
			bl[18]++
		}
		count, prevLen = 0, curLen
		switch {
		case nextLen == 0:
			maxCount, minCount = 138, 3
		case curLen == nextLen:
			maxCount, minCount = 6, 3
		default:
			maxCount, minCount = 7, 4
		}
	}
}

// buildBLTree builds the tree that codes the other two trees' lengths and
// adds the cost of sending all trees to the dynamic bit count.
func (s *deflateSim) buildBLTree() {
	s.scanTree(s.ltree)
	s.scanTree(s.dtree)
	s.buildTree(s.bltree)
	maxIndex := dfBLCodes - 1
	for ; maxIndex >= 3; maxIndex-- {
		if s.bltree.len[dfBLOrder[maxIndex]] != 0 {
			break
		}
	}
	s.optLen += 3*(maxIndex+1) + 5 + 5 + 4
}
