//! The integration-test builder: a temporary working directory, files in it, and the real
//! `sigform` binary run against it.
//!
//! `Test::new().config("...").arg("validate").status(1)` runs `sigform -C <dir> validate` and
//! asserts the exit code, returning the output for further checks.

#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub struct Test {
    dir: tempfile::TempDir,
    args: Vec<String>,
    env: Vec<(String, String)>,
    chdir: Option<PathBuf>,
}

pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub dir: PathBuf,
}

impl Test {
    pub fn new() -> Test {
        Test { dir: tempfile::tempdir().expect("temp dir"), args: Vec::new(), env: Vec::new(), chdir: None }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(self, name: &str, text: &str) -> Test {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, text).unwrap();
        self
    }

    /// `main.tf`.
    pub fn config(self, text: &str) -> Test {
        self.file("main.tf", text)
    }

    /// Copies `examples/NAME` into the working directory.
    pub fn example(self, name: &str) -> Test {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name);
        for entry in std::fs::read_dir(src).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, self.dir.path().join(path.file_name().unwrap())).unwrap();
            }
        }
        self
    }

    pub fn arg(mut self, arg: &str) -> Test {
        self.args.push(arg.to_string());
        self
    }

    pub fn args(mut self, args: &[&str]) -> Test {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Test {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    /// Applies the current configuration to the test's own emulator (time scale 0), so plans
    /// can be tested against a state and a cloud that hold it.
    pub fn seeded(self) -> Test {
        let mut cmd = Command::cargo_bin("sigform").expect("the sigform binary");
        cmd.arg("-C")
            .arg(self.dir.path())
            .args(["apply", "--auto-approve"])
            .env("SIGFORM_EMULATOR_TIME_SCALE", "0")
            .env("NO_COLOR", "1");
        let out = cmd.output().expect("sigform runs");
        assert!(
            out.status.success(),
            "seeding apply failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        self
    }

    /// Replaces `from` with `to` in `main.tf` (which must contain it).
    pub fn edit(self, from: &str, to: &str) -> Test {
        let text = self.read("main.tf");
        assert!(text.contains(from), "main.tf does not contain {from:?}");
        self.config(&text.replacen(from, to, 1))
    }

    /// Run in DIR instead of the test's own directory.
    pub fn chdir(mut self, dir: &str) -> Test {
        self.chdir = Some(PathBuf::from(dir));
        self
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap()
    }

    pub fn run(&self) -> Output {
        let mut cmd = Command::cargo_bin("sigform").expect("the sigform binary");
        cmd.arg("-C").arg(self.chdir.as_deref().unwrap_or(self.dir.path())).args(&self.args);
        for (k, _) in std::env::vars() {
            if k.starts_with("TF_VAR_") || k.starts_with("ARM_") || k.starts_with("SIGFORM_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("NO_COLOR", "1").env("SIGFORM_EMULATOR_TIME_SCALE", "0");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("sigform runs");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            dir: self.dir.path().to_path_buf(),
        }
    }

    /// Runs and asserts the exit code.
    pub fn status(&self, code: i32) -> Output {
        let out = self.run();
        assert_eq!(
            out.code, code,
            "exit code of sigform {:?}\nstdout:\n{}\nstderr:\n{}",
            self.args, out.stdout, out.stderr
        );
        out
    }
}

impl Output {
    /// Output with the temporary directory replaced, for snapshots.
    pub fn filtered(&self, text: &str) -> String {
        text.replace(&self.dir.display().to_string(), "[DIR]")
    }
}
