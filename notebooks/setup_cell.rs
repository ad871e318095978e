:cache 4096
:opt 3
:dep cnn_lab = { path = ".." }
use cnn_lab::prelude::*;
