// libsndfile (libsndfile1-dev): every audio format it reads, WAV, FLAC, AIFF, Ogg, float and
// integer samples of any width, and headerless PCM.
#include <sndfile.h>
