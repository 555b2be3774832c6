//! One image's configuration and its layers (history), for the details pane.

use super::model::{ImageDetails, ImageSummary, Layer};
use crate::error::Result;
use crate::Engine;

pub async fn details(engine: &Engine, image: &str) -> Result<ImageDetails> {
    let docker = engine.docker();
    let what = format!("Image {}", crate::containers::short(image));
    let (inspect, history) = tokio::try_join!(docker.inspect_image(image), docker.image_history(image)).map_err(engine.err(&what))?;
    let id = inspect.id.clone().unwrap_or_default();
    let summary = super::list(engine).await?.into_iter().find(|i| i.id == id).unwrap_or_else(|| ImageSummary {
        id: id.clone(),
        repo_tags: inspect.repo_tags.clone().unwrap_or_default(),
        repo_digests: inspect.repo_digests.clone().unwrap_or_default(),
        size: inspect.size.unwrap_or(0),
        created: 0,
        containers: 0,
        dangling: inspect.repo_tags.as_ref().is_none_or(|t| t.is_empty()),
    });
    let config = inspect.config.unwrap_or_default();
    let mut layers: Vec<Layer> = history
        .into_iter()
        .map(|h| Layer { instruction: instruction(&h.created_by), size: h.size, created: h.created, comment: h.comment })
        .collect();
    layers.reverse();
    Ok(ImageDetails {
        summary,
        os: inspect.os.unwrap_or_default(),
        architecture: [inspect.architecture, inspect.variant].into_iter().flatten().filter(|s| !s.is_empty()).collect::<Vec<_>>().join("/"),
        author: inspect.author.unwrap_or_default(),
        entrypoint: config.entrypoint.unwrap_or_default(),
        cmd: config.cmd.unwrap_or_default(),
        env: config.env.unwrap_or_default(),
        working_dir: config.working_dir.unwrap_or_default(),
        user: config.user.unwrap_or_default(),
        exposed_ports: config.exposed_ports.unwrap_or_default(),
        volumes: config.volumes.unwrap_or_default(),
        labels: config.labels.unwrap_or_default().into_iter().collect(),
        layers,
    })
}

/// `/bin/sh -c #(nop)  CMD ["sh"]` → `CMD ["sh"]`; `/bin/sh -c apk add x` → `RUN apk add x`.
fn instruction(created_by: &str) -> String {
    let s = created_by.trim();
    if let Some(rest) = s.strip_prefix("/bin/sh -c #(nop)") {
        return rest.trim().to_string();
    }
    if let Some(rest) = s.strip_prefix("/bin/sh -c ") {
        return format!("RUN {}", rest.trim());
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn cleans_instructions() {
        assert_eq!(super::instruction("/bin/sh -c #(nop)  CMD [\"sh\"]"), "CMD [\"sh\"]");
        assert_eq!(super::instruction("/bin/sh -c apk add curl"), "RUN apk add curl");
        assert_eq!(super::instruction("RUN /bin/busybox --install -s /bin # buildkit"), "RUN /bin/busybox --install -s /bin # buildkit");
    }
}
