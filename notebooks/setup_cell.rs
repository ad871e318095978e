:dep cnn_lab = { path = ".." }
use cnn_lab::prelude::*;
