package burn

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

func TestBurnImageLayout(t *testing.T) {
	app := []byte("123456789") // CRC-32 check value of this string is 0xCBF43926
	img, err := Image(app)
	if err != nil {
		t.Fatal(err)
	}
	if len(img) != ExecOffset+len(app) {
		t.Fatalf("image is %d bytes, want %d", len(img), ExecOffset+len(app))
	}
	want := []uint32{0xFFFFFFFF, 0, 9, 0x2000, 0x4000, 32, 0xCBF43926, 0x51525251, 0, 0x00D02E83, 0xFFFFFFFF, 0x51525251}
	for i, w := range want {
		if got := binary.LittleEndian.Uint32(img[4*i:]); got != w {
			t.Errorf("header word %d = %#08x, want %#08x", i, got, w)
		}
	}
	if !bytes.Equal(img[48:0x1000], bytes.Repeat([]byte{0xFF}, 0x1000-48)) {
		t.Error("the rest of the first sector is not 0xFF")
	}
	if !bytes.Equal(img[0x1000:0x2000], make([]byte, 0x1000)) {
		t.Error("the second sector is not zero")
	}
	if !bytes.Equal(img[0x2000:], app) {
		t.Error("the application does not follow at 0x2000")
	}
}

func TestBurnImageRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		want string
	}{
		{"empty", 0, "empty"},
		{"too big", MaxAppSize + 1, "more than"},
	} {
		_, err := Image(make([]byte, tc.size))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
	if _, err := Image(make([]byte, MaxAppSize)); err != nil {
		t.Errorf("an image that exactly fills the flash: %v", err)
	}
}
