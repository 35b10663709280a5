//! `msg!` / `sol_log` with an optional host-side hook.

/// Logs a message: `msg!("text")` or `msg!("fmt {}", arg)`.
#[macro_export]
macro_rules! msg {
    ($msg:expr) => {
        $crate::sol_log($msg)
    };
    ($($arg:tt)*) => ($crate::sol_log(&format!($($arg)*)));
}

#[cfg(target_os = "solana")]
pub mod syscalls {
    solana_define_syscall::define_syscall!(fn sol_log_(message: *const u8, len: u64));
}

#[cfg(not(target_os = "solana"))]
static HOOK: std::sync::OnceLock<fn(&str)> = std::sync::OnceLock::new();

/// Installs the off-chain log sink (first caller wins). Returns false if one was set already.
#[cfg(not(target_os = "solana"))]
pub fn set_log_hook(hook: fn(&str)) -> bool {
    HOOK.set(hook).is_ok()
}

/// Prints a string to the program log.
#[inline]
pub fn sol_log(message: &str) {
    #[cfg(target_os = "solana")]
    unsafe {
        syscalls::sol_log_(message.as_ptr(), message.len() as u64);
    }

    #[cfg(not(target_os = "solana"))]
    match HOOK.get() {
        Some(hook) => hook(message),
        None => println!("{message}"),
    }
}
