//! Process model: daemon, pid file, privileges, signals, soft stop, -sf/-st.
