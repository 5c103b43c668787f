package datasets

// Augmentation as torchvision's RandomCrop(size, padding=Crop) followed by
// RandomHorizontalFlip(): the image is zero-padded by Crop pixels on every
// side, an H×W window is cut at a uniform offset (dx, dy) ∈ [0, 2·Crop]², and
// the window is mirrored left–right with probability ½. The draws for a
// sample depend only on (Seed, epoch, sample index).

// SampleAugment returns the crop offset and flip the loader applies to
// sample idx of the set in epoch: (dx, dy) is the window's top-left corner in
// the padded image (Crop, Crop when cropping is off, i.e. no shift).
func (c LoaderConfig) SampleAugment(epoch, idx int) (dx, dy int, flip bool) {
	dx, dy = c.Crop, c.Crop
	if c.Crop == 0 && !c.Flip {
		return dx, dy, false
	}
	r := newStream(tagAugment, c.Seed, uint64(epoch), uint64(idx))
	if c.Crop > 0 {
		dx, dy = r.intn(2*c.Crop+1), r.intn(2*c.Crop+1)
	}
	if c.Flip {
		flip = r.next()>>63 == 1
	}
	return dx, dy, flip
}

// normLUT returns, for each channel, the 256 normalised values
// (v/255 − mean)/std.
func normLUT(c int, mean, std []float32) []float32 {
	lut := make([]float32, c*256)
	for ch := range c {
		m, s := float32(0), float32(1)
		if len(mean) > 0 {
			m = mean[min(ch, len(mean)-1)]
		}
		if len(std) > 0 {
			s = std[min(ch, len(std)-1)]
		}
		for v := range 256 {
			lut[ch*256+v] = (float32(v)/255 - m) / s
		}
	}
	return lut
}

// renderSample writes one c×h×w sample to dst, normalised through lut and
// augmented with padding pad, crop offset (dx, dy) and an optional flip.
// Padded pixels are zero before normalisation, i.e. lut[ch][0] after.
func renderSample(dst []float32, src []uint8, c, h, w int, lut []float32, pad, dx, dy int, flip bool) {
	plane := h * w
	// Output columns [x0, x1) read source columns x+dx−pad; the rest is padding.
	x0, x1 := max(0, pad-dx), min(w, w+pad-dx)
	for ch := range c {
		tab := lut[ch*256 : ch*256+256 : ch*256+256]
		zero := tab[0]
		for y := range h {
			out := dst[ch*plane+y*w : ch*plane+(y+1)*w : ch*plane+(y+1)*w]
			sy := y + dy - pad
			if sy < 0 || sy >= h || x0 >= x1 {
				for x := range out {
					out[x] = zero
				}
				continue
			}
			row := src[ch*plane+sy*w : ch*plane+(sy+1)*w : ch*plane+(sy+1)*w]
			shift := dx - pad
			if !flip {
				for x := 0; x < x0; x++ {
					out[x] = zero
				}
				for x := x0; x < x1; x++ {
					out[x] = tab[row[x+shift]]
				}
				for x := x1; x < w; x++ {
					out[x] = zero
				}
				continue
			}
			for x := 0; x < x0; x++ {
				out[w-1-x] = zero
			}
			for x := x0; x < x1; x++ {
				out[w-1-x] = tab[row[x+shift]]
			}
			for x := x1; x < w; x++ {
				out[w-1-x] = zero
			}
		}
	}
}
