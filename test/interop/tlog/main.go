// Command tlog-interop checks a Sunshine transparency log written to a directory against Go's reference
// packages golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog, and produces proofs for the
// same tree for the Sunshine verifier to check. Run in GOPATH mode:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run ./test/interop/tlog <dir>
//
// With -cosigned <dir> it only opens <dir>/checkpoint with sumdb/note, trusting the log's key (vkey) and
// a witness's tlog-cosignature/v1 key (witness-vkey, type 0x04: a note.Verifier defined here, since
// sumdb/note knows only Ed25519), and requires both signatures to verify.
//
// The directory holds: vkey (the log's verifier key), skey (its signer key), checkpoint (the signed
// note), the tiles and entry bundles under tile/ as served, and claims.json (proofs made by Sunshine).
// The result is printed as JSON; the exit status is 1 when any check failed.
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type inclusionClaim struct {
	Size  int64    `json:"size"`
	Index int64    `json:"index"`
	Proof []string `json:"proof"`
}

type consistencyClaim struct {
	Size  int64    `json:"size"`
	Old   int64    `json:"old"`
	Proof []string `json:"proof"`
}

type claims struct {
	Inclusion   []inclusionClaim   `json:"inclusion"`
	Consistency []consistencyClaim `json:"consistency"`
	// Proofs Go should produce for Sunshine to check.
	ProveInclusion   []inclusionClaim   `json:"proveInclusion"`
	ProveConsistency []consistencyClaim `json:"proveConsistency"`
	// A checkpoint body Go signs with skey; Sunshine compares it with its own signature.
	SignText string `json:"signText"`
}

type result struct {
	Checks           []string           `json:"checks"`
	Errors           []string           `json:"errors"`
	Roots            map[string]string  `json:"roots"`
	Inclusion        []inclusionClaim   `json:"inclusion"`
	Consistency      []consistencyClaim `json:"consistency"`
	GoSignedNote     string             `json:"goSignedNote"`
	GoCheckpointRoot string             `json:"goCheckpointRoot"`
}

// tileReader reads tiles from the directory, at the C2SP paths (Go's own paths also name the height).
type tileReader struct {
	dir   string
	saved map[string]bool
}

func (r *tileReader) Height() int { return 8 }

func c2spPath(t tlog.Tile) string {
	return strings.Replace(t.Path(), "tile/8/", "tile/", 1)
}

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(c2spPath(t))))
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

func decodeHashes(list []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		h, err := tlog.ParseHash(s)
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

func encodeHashes(list []tlog.Hash) []string {
	out := make([]string, len(list))
	for i, h := range list {
		out[i] = h.String()
	}
	return out
}

// cosigVerifier verifies tlog-cosignature/v1 signatures (type 0x04): an 8-byte big-endian timestamp and
// an Ed25519 signature over "cosignature/v1\ntime <t>\n" followed by the note text.
type cosigVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (v cosigVerifier) Name() string    { return v.name }
func (v cosigVerifier) KeyHash() uint32 { return v.hash }
func (v cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	return ed25519.Verify(v.key, []byte(fmt.Sprintf("cosignature/v1\ntime %d\n%s", t, msg)), sig[8:])
}

func newCosigVerifier(vkey string) (note.Verifier, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("malformed verifier key")
	}
	hash, err := strconv.ParseUint(parts[1], 16, 32)
	raw, err2 := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || err2 != nil || len(raw) != 33 || raw[0] != 0x04 {
		return nil, fmt.Errorf("not a cosignature/v1 verifier key")
	}
	h := sha256.Sum256(append([]byte(parts[0]+"\n"), raw...))
	if binary.BigEndian.Uint32(h[:4]) != uint32(hash) {
		return nil, fmt.Errorf("key hash does not match")
	}
	return cosigVerifier{name: parts[0], hash: uint32(hash), key: ed25519.PublicKey(raw[1:])}, nil
}

func cosigned(dir string) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			panic(err)
		}
		return strings.TrimSpace(string(b))
	}
	logKey, err := note.NewVerifier(read("vkey"))
	if err != nil {
		fmt.Printf("note.NewVerifier: %v\n", err)
		os.Exit(1)
	}
	witnessKey, err := newCosigVerifier(read("witness-vkey"))
	if err != nil {
		fmt.Printf("witness key: %v\n", err)
		os.Exit(1)
	}
	n, err := note.Open([]byte(read("checkpoint")+"\n"), note.VerifierList(logKey, witnessKey))
	if err != nil {
		fmt.Printf("note.Open: %v\n", err)
		os.Exit(1)
	}
	if len(n.Sigs) != 2 {
		fmt.Printf("expected 2 verified signatures, got %d\n", len(n.Sigs))
		os.Exit(1)
	}
	fmt.Printf("verified by sumdb/note: %s (log) and %s (witness)\n", n.Sigs[0].Name, n.Sigs[1].Name)
}

func main() {
	if os.Args[1] == "-cosigned" {
		cosigned(os.Args[2])
		return
	}
	dir := os.Args[1]
	res := result{Roots: map[string]string{}, Checks: []string{}, Errors: []string{}}
	fail := func(format string, args ...interface{}) {
		res.Errors = append(res.Errors, fmt.Sprintf(format, args...))
	}
	ok := func(format string, args ...interface{}) {
		res.Checks = append(res.Checks, fmt.Sprintf(format, args...))
	}
	defer func() {
		json.NewEncoder(os.Stdout).Encode(res)
		if len(res.Errors) > 0 {
			os.Exit(1)
		}
	}()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			panic(err)
		}
		return b
	}

	// 1. The checkpoint's signature, with sumdb/note.
	verifier, err := note.NewVerifier(strings.TrimSpace(string(read("vkey"))))
	if err != nil {
		fail("note.NewVerifier: %v", err)
		return
	}
	n, err := note.Open(read("checkpoint"), note.VerifierList(verifier))
	if err != nil {
		fail("note.Open: %v", err)
		return
	}
	ok("checkpoint signature verified by sumdb/note")
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	size, err1 := strconv.ParseInt(lines[1], 10, 64)
	root, err2 := tlog.ParseHash(lines[2])
	if len(lines) < 3 || err1 != nil || err2 != nil {
		fail("malformed checkpoint body %q", n.Text)
		return
	}
	tree := tlog.Tree{N: size, Hash: root}
	res.GoCheckpointRoot = root.String()

	// 2. Tiles: every hash Go reads through TileHashReader is authenticated against the signed root.
	hr := tlog.TileHashReader(tree, &tileReader{dir: dir})
	th, err := tlog.TreeHash(size, hr)
	if err != nil || th != root {
		fail("tlog.TreeHash from tiles: %v (%v vs %v)", err, th, root)
		return
	}
	ok("tiles hash to the signed root of size %d", size)

	// 3. Entry bundles: each entry's RFC 6962 leaf hash equals the level-0 tile hash.
	for start := int64(0); start < size; start += 256 {
		w := size - start
		name := tlog.Tile{H: 8, L: 0, N: start / 256, W: 256}
		if w < 256 {
			name.W = int(w)
		} else {
			w = 256
		}
		path := strings.Replace(c2spPath(name), "tile/0/", "tile/entries/", 1)
		data := read(path)
		indexes := make([]int64, w)
		for i := range indexes {
			indexes[i] = tlog.StoredHashIndex(0, start+int64(i))
		}
		hashes, err := hr.ReadHashes(indexes)
		if err != nil {
			fail("read level-0 hashes at %d: %v", start, err)
			return
		}
		for i := int64(0); i < w; i++ {
			if len(data) < 2 {
				fail("entry bundle %s truncated", path)
				return
			}
			l := int(binary.BigEndian.Uint16(data))
			if len(data) < 2+l {
				fail("entry bundle %s truncated", path)
				return
			}
			if tlog.RecordHash(data[2:2+l]) != hashes[i] {
				fail("entry %d does not hash to its tile", start+i)
			}
			data = data[2+l:]
		}
		if len(data) != 0 {
			fail("entry bundle %s has trailing bytes", path)
		}
	}
	ok("entry bundles hash to the level-0 tiles")

	var c claims
	if err := json.Unmarshal(read("claims.json"), &c); err != nil {
		fail("claims.json: %v", err)
		return
	}
	rootOf := func(t int64) tlog.Hash {
		h, err := tlog.TreeHash(t, hr)
		if err != nil {
			fail("TreeHash(%d): %v", t, err)
		}
		res.Roots[strconv.FormatInt(t, 10)] = h.String()
		return h
	}

	// 4. Sunshine's inclusion and consistency proofs, with tlog.CheckRecord / tlog.CheckTree.
	for _, p := range c.Inclusion {
		proof, err := decodeHashes(p.Proof)
		if err != nil {
			fail("inclusion %d@%d: %v", p.Index, p.Size, err)
			continue
		}
		leaf, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, p.Index)})
		if err != nil {
			fail("leaf %d: %v", p.Index, err)
			continue
		}
		if err := tlog.CheckRecord(proof, p.Size, rootOf(p.Size), p.Index, leaf[0]); err != nil {
			fail("tlog.CheckRecord(%d in %d): %v", p.Index, p.Size, err)
		}
	}
	ok("%d inclusion proofs checked", len(c.Inclusion))
	for _, p := range c.Consistency {
		proof, err := decodeHashes(p.Proof)
		if err != nil {
			fail("consistency %d→%d: %v", p.Old, p.Size, err)
			continue
		}
		if err := tlog.CheckTree(proof, p.Size, rootOf(p.Size), p.Old, rootOf(p.Old)); err != nil {
			fail("tlog.CheckTree(%d→%d): %v", p.Old, p.Size, err)
		}
	}
	ok("%d consistency proofs checked", len(c.Consistency))

	// 5. Proofs made by Go for the same tree, for Sunshine's verifier.
	for _, p := range c.ProveInclusion {
		proof, err := tlog.ProveRecord(p.Size, p.Index, hr)
		if err != nil {
			fail("tlog.ProveRecord(%d, %d): %v", p.Size, p.Index, err)
			continue
		}
		rootOf(p.Size)
		res.Inclusion = append(res.Inclusion, inclusionClaim{Size: p.Size, Index: p.Index, Proof: encodeHashes(proof)})
	}
	for _, p := range c.ProveConsistency {
		proof, err := tlog.ProveTree(p.Size, p.Old, hr)
		if err != nil {
			fail("tlog.ProveTree(%d, %d): %v", p.Size, p.Old, err)
			continue
		}
		rootOf(p.Size)
		rootOf(p.Old)
		res.Consistency = append(res.Consistency, consistencyClaim{Size: p.Size, Old: p.Old, Proof: encodeHashes(proof)})
	}

	// 6. Go signs the same checkpoint body with the same key: Ed25519 is deterministic, so the notes must be identical.
	signer, err := note.NewSigner(strings.TrimSpace(string(read("skey"))))
	if err != nil {
		fail("note.NewSigner: %v", err)
		return
	}
	signed, err := note.Sign(&note.Note{Text: c.SignText}, signer)
	if err != nil {
		fail("note.Sign: %v", err)
		return
	}
	res.GoSignedNote = string(signed)
}
